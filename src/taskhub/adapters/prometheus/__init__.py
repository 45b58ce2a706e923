"""Prometheus metrics, on prometheus-client (the ``metrics`` extra).

Imported only when metrics are asked for (``taskhub.bootstrap.resources``), since
prometheus-client chooses when it is first imported whether the process keeps its figures in
memory or writes them to files in ``PROMETHEUS_MULTIPROC_DIR``, to be summed with its
siblings' (gunicorn's workers, a Celery worker's pool processes): whatever starts those
processes sets that first (``taskhub.bootstrap.metrics``).
"""
