"""Strict queries: a request may name only the query parameters its operation documents.

webargs drops query parameters that no schema declares, and one operation's parameters come from
more than one place (``blp.arguments`` parses the query with its schema, headers and path
parameters are documented beside it), so no single schema can refuse the rest. The OpenAPI
document is where they all meet: the check reads it, so what the API accepts and what it
documents cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask, request
from flask_smorest.spec.plugins import FlaskPlugin

from taskhub.entrypoints.http.problems import UnreadableRequest

UNKNOWN = "Unknown query parameter."
Document = Mapping[str, Any]  # an OpenAPI document, as ``api.spec.to_dict()`` gives it
Parameter = Mapping[str, Any]
Operation = tuple[str, str]  # (Flask URL rule, HTTP method)


def refuse_undocumented_queries(app: Flask, document: Document) -> None:
    """Before any view of ``app`` runs, refuse query parameters ``document`` does not list.

    The refusal is the one webargs makes of a query it cannot read (``UnreadableRequest``: 422
    ``invalid_query``), naming each unknown parameter. URLs the document does not describe (the
    document itself, the docs page) are left alone.
    """
    allowed = documented_query_names(app, document)

    def check() -> None:
        rule, method = request.url_rule, "GET" if request.method == "HEAD" else request.method
        if rule is None or (names := allowed.get((rule.rule, method))) is None:
            return  # routing failed (its 404 or 405 follows), or not an operation of the document
        if unknown := [name for name in request.args if name not in names]:
            raise UnreadableRequest("query", {name: [UNKNOWN] for name in unknown})

    app.before_request(check)


def documented_query_names(app: Flask, document: Document) -> dict[Operation, frozenset[str]]:
    """The query parameters ``document`` lists for each operation of ``app``."""
    paths = document.get("paths", {})
    names: dict[Operation, frozenset[str]] = {}
    for rule in app.url_map.iter_rules():
        item = paths.get(FlaskPlugin.flaskpath2openapi(rule.rule), {})
        for method in rule.methods or ():
            if (operation := item.get(method.lower())) is not None:
                listed = [*item.get("parameters", []), *operation.get("parameters", [])]
                query = (p for p in _resolved(listed, document) if p["in"] == "query")
                names[(rule.rule, method)] = frozenset(p["name"] for p in query)
    return names


def _resolved(parameters: list[Parameter], document: Document) -> Iterator[Parameter]:
    """Each parameter, with a reference (``#/components/parameters/X``) replaced by its target."""
    shared = document.get("components", {}).get("parameters", {})
    for parameter in parameters:
        reference = parameter.get("$ref")
        yield shared[reference.rsplit("/", 1)[-1]] if reference else parameter
