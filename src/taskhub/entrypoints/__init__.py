"""Entrypoints: the library façade, HTTP, worker and command line. Thin translators, no rules."""
