"""Adapters: one module per technology, each implementing ports of the application layer."""
