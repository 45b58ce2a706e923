"""The user resource: its commands and their handlers."""
