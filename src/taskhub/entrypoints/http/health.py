"""``/healthz`` (the process answers) and ``/readyz`` (its database and bus answer too)."""

from __future__ import annotations

import logging
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from taskhub.entrypoints.http.schemas import HealthSchema
from taskhub.entrypoints.http.state import service

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators.")


@blp.route("/healthz", endpoint="healthz")
class Liveness(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """Liveness: the process is up; nothing else is checked"""
        return {"status": "ok"}


@blp.route("/readyz", endpoint="readyz")
class Readiness(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> Any:
        """Readiness: the database and the task bus answer (503 names those that do not)"""
        checks, failures = readiness()
        if failures:
            abort(503, message=f"Not ready: {', '.join(failures)}.", errors=failures)
        return {"status": "ready", "checks": checks}


def readiness() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Run every check: (passed, failed with why). Why stays vague here; the log has it."""
    checking = service()
    passed: dict[str, str] = {}
    failed: dict[str, list[str]] = {}
    for name, check in (("database", checking.check_store), ("bus", checking.check_bus)):
        try:
            check()
        except Exception:
            log.exception("Readiness check %r failed", name)
            failed[name] = ["Does not answer."]
        else:
            passed[name] = "ok"
    return passed, failed
