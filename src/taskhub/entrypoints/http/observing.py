"""Each request observed: its id (``X-Request-ID``), one log line, its metrics; and ``/metrics``.

A request's id is the client's ``X-Request-ID`` when it is one (1 to 128 letters, digits and
``._:+/=-``), else a fresh one: the response echoes it, every line logged while the request is
served carries it, and so does the task it submits, in the lines of whichever process runs it.
The request's line (logger ``taskhub.http``) gives its method, path, route template, status and
duration, and nothing of its body, query or client (which may be personal). Its path is the one
asked only when a route matched it and every part the client chose is an id (a UUID): else the
route's template, or ``(unmatched)``, since any other path is whatever text a client sent. A
streamed answer (an event stream) is logged and timed when it ends, not when it begins.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from dataclasses import dataclass
from typing import Protocol
from uuid import uuid4

import flask
from flask import Flask, Response, g, request

from taskhub.application.log_context import bind, reset
from taskhub.entrypoints.http.state import api_state

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
UNMATCHED = "(unmatched)"  # what a request no route matched logs, as its metrics' route label
log = logging.getLogger("taskhub.http")
metrics_page = flask.Blueprint("metrics", __name__)


class RequestMetrics(Protocol):
    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None: ...


class MetricsPage(Protocol):
    multiprocess: bool

    def render(self, accept: str = "") -> tuple[bytes, str]: ...


def observe_requests(app: Flask) -> None:
    """Observe every request of ``app``: before any other hook of its, after every other."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)
    app.teardown_request(_unbind)
    app.register_blueprint(metrics_page)


def request_id() -> str:
    """This request's id."""
    found: str = g.request_id
    return found


def _begin() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid4().hex
    g.request_started = time.perf_counter()
    g.log_binding = bind(request_id=g.request_id)


def _end(response: Response) -> Response:
    if "request_id" not in g:  # another hook failed before ours ran
        _begin()
    response.headers[REQUEST_ID_HEADER] = request_id()
    answered = Answered.now(response.status_code)
    if response.is_streamed:  # its body is still to come: it is done when the server closes it
        response.call_on_close(answered.record)
    else:
        answered.record()
    return response


@dataclass(frozen=True)
class Answered:
    """What a request's line and metrics say of it, taken while its context lasts (a stream's
    close comes after), and recorded once its answer is complete."""

    method: str
    path: str
    route: str | None
    status: int
    request_id: str
    started: float
    metrics: RequestMetrics

    @classmethod
    def now(cls, status: int) -> Answered:
        route = request.url_rule.rule if request.url_rule else None
        metrics: RequestMetrics = api_state().container.request_metrics()
        return cls(request.method, _path(route), route, status, request_id(),
                   g.request_started, metrics)  # fmt: skip

    def record(self) -> None:
        seconds = time.perf_counter() - self.started
        self.metrics.observe(self.method, self.route, self.status, seconds)
        took = round(seconds * 1000, 1)
        log.info(
            "%s %s %s %g ms", self.method, self.path, self.status, took,
            extra={"event": "http.request", "method": self.method, "path": self.path,
                   "route": self.route, "status": self.status, "duration_ms": took,
                   "request_id": self.request_id},
        )  # fmt: skip


def _path(route: str | None) -> str:
    """The path asked if its only parts a client chose are ids; else ``route``, or UNMATCHED."""
    if route is None:
        return UNMATCHED
    chosen = (request.view_args or {}).values()
    return route if any(isinstance(value, str) for value in chosen) else request.path


def _unbind(_error: BaseException | None) -> None:
    if (binding := g.pop("log_binding", None)) is not None:
        reset(binding)


@metrics_page.route("/metrics")
def metrics() -> Response:
    """Prometheus metrics: every process's sum under gunicorn run as the README says."""
    page: MetricsPage = api_state().container.metrics_page()
    if not page.multiprocess and request.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        _warn_single_worker()
    body, content_type = page.render(request.headers.get("Accept", ""))
    return Response(body, headers={"Content-Type": content_type})


@functools.cache
def _warn_single_worker() -> None:
    """Once per process: gunicorn started without taskhub's configuration."""
    log.warning(
        "/metrics shows this gunicorn worker's figures alone: start gunicorn with "
        "--config python:taskhub.entrypoints.http.gunicorn_config to show every worker's sum"
    )
