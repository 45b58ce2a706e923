"""Celery and kombu adapters: the task bus and the event stream of a multi-machine deployment."""
