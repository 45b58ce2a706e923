"""The application layer: use cases (submit, run, query) and the ports they need."""
