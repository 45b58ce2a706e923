"""``taskhub serve``: the API in this process, for development (gunicorn serves production)."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from werkzeug.serving import make_server

from taskhub.bootstrap import shut_down
from taskhub.bootstrap.logs import configure_logging
from taskhub.bootstrap.metrics import keep_metrics_in_process
from taskhub.entrypoints.http.access import access_line
from taskhub.entrypoints.http.app import create_app
from taskhub.settings import Settings


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(host: str, port: int, settings: Settings | None = None) -> int:
    """Serve until interrupted or terminated, then let the running tasks finish."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    keep_metrics_in_process()  # one process: nothing to sum
    app = create_app(settings)
    server = make_server(host, port, app, threaded=True)
    signal.signal(signal.SIGTERM, _stop)
    print(f"taskhub serving on http://{host}:{server.port} (docs: /api/docs)", flush=True)
    print(f"taskhub {access_line(settings)}", flush=True)
    try:
        server.serve_forever()  # returns on SIGINT or SIGTERM: werkzeug swallows the interrupt
    finally:
        print("taskhub stopping: letting running tasks finish", file=sys.stderr, flush=True)
        shut_down(app.extensions["taskhub"].container)
    return 0
