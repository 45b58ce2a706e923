"""Reading PostgreSQL's plan of a statement: which indexes it uses, which nodes it runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, its parameters bound as it would run."""

    inherit_cache = False

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def index_names(plan: dict[str, Any]) -> set[str]:
    """Every index the plan reads."""
    found = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= index_names(child)
    return found


def node_types(plan: dict[str, Any]) -> set[str]:
    """Every kind of node in the plan (``Sort``, ``Seq Scan``, ``Index Scan``, ...)."""
    found = {plan["Node Type"]}
    for child in plan.get("Plans", []):
        found |= node_types(child)
    return found
