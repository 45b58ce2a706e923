"""Adapters that need nothing outside this process: buses on the calling thread or a pool of
threads, an in-process event publisher, the system clock, and the relay's sweeping thread."""
