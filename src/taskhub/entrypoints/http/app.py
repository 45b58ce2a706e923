"""The application factory."""

from __future__ import annotations

from flask import Flask

from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap import Container, build_container, ensure_administrator, start
from taskhub.domain.errors import DomainError
from taskhub.entrypoints import console
from taskhub.entrypoints.http import health, tasks, users
from taskhub.entrypoints.http.auth import require_tokens
from taskhub.entrypoints.http.headers import add_security_headers
from taskhub.entrypoints.http.limits import apply_limits
from taskhub.entrypoints.http.observing import observe_requests
from taskhub.entrypoints.http.openapi import API_CONFIG, TaskhubApi, swagger_ui_assets
from taskhub.entrypoints.http.problems import domain_problem
from taskhub.entrypoints.http.state import ApiState
from taskhub.entrypoints.http.streams import init_streams
from taskhub.entrypoints.http.strict_queries import refuse_undocumented_queries
from taskhub.settings import Settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> Flask:
    """The HTTP API over ``container`` (default: built from ``settings``, else the environment);
    the app reads its own settings (body limit, longest wait) from the container too.

    The container is started last (``taskhub.bootstrap.start``), so the schema is ready before
    any request; one that cannot be made ready raises here, which fails gunicorn's worker boot.
    Then the first administrator the settings name is made, if missing; the console
    (``/admin/``, ``taskhub.entrypoints.console``) signs them in.
    Whoever serves the app shuts the container down when done: ``taskhub.bootstrap.shut_down``
    on ``app.extensions["taskhub"].container``.
    """
    container = container or build_container(settings or Settings.from_env())
    app = Flask(__name__)
    app.config.update(API_CONFIG, MAX_CONTENT_LENGTH=container.settings().max_body_bytes)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # even under test, an unexpected error is a 500
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the seed's field order
    app.extensions["taskhub"] = ApiState(container)
    observe_requests(app)
    add_security_headers(app)
    # Before-request checks run in this order: a client's rate, then its token, then its query.
    apply_limits(app, container.settings())
    if container.settings().auth == "required":
        require_tokens(app)
    register_api(app)
    init_streams(app, container.settings().sse_max_streams)
    start(container)  # a store that cannot be used stops the start before the console says more
    console.init_console(app, container.settings())
    ensure_administrator(container)
    return app


def register_api(app: Flask) -> None:
    """The blueprints, their docs, the query check, and the map from our errors to problems."""
    api = TaskhubApi(app)
    for blueprint in (users.blp, tasks.blp, health.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(swagger_ui_assets)
    refuse_undocumented_queries(app, api.spec.to_dict())
    for error in (DomainError, StoreUnavailable):
        app.register_error_handler(error, domain_problem)
