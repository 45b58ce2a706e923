"""``taskhub tokens``: the HTTP API's bearer tokens, made, listed and revoked on the store."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import click

from taskhub.entrypoints.cli.output import DONE, emit, json_option, table
from taskhub.entrypoints.cli.session import with_hub

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub


@click.group()
def tokens() -> None:
    """Make, list and revoke the tokens that let a client call the API (TASKHUB_AUTH=required)."""


@tokens.command()
@click.option("--name", required=True, help="What the token is for, e.g. ci-deploy.")
@click.option("--read-only", is_flag=True, help="It may only read (GET); a change gets 403.")
@json_option
def create(name: str, read_only: bool, as_json: bool) -> int:
    """Make a token and print its secret: the only time it is shown (only a digest is kept)."""

    def make(hub: Hub) -> int:
        issued = hub.tokens.create(name, read_only=read_only)
        data = {**issued.token.to_dict(), "token": issued.secret}
        emit(data, as_json, lambda: issued.secret)
        if not as_json:
            kind = "read-only " if read_only else ""
            click.echo(f"{kind}token {issued.token.name!r} made ({issued.token.id}); "
                       "keep it now, it is not shown again", err=True)  # fmt: skip
        return DONE

    return with_hub(make, as_json)


@tokens.command(name="list")
@json_option
def list_(as_json: bool) -> int:
    """List the tokens, oldest first, with their last use (never their secrets)."""

    def show(hub: Hub) -> int:
        found = [t.to_dict() for t in hub.tokens.list()]
        rows = [(t["id"], t["name"], t["hint"] + "…", "read" if t["read_only"] else "write",
                 t["last_used_at"] or "never", "revoked" if t["revoked_at"] else "active")
                for t in found]  # fmt: skip
        header = ("ID", "NAME", "STARTS", "MAY", "LAST USED", "STATE")
        emit(found, as_json, lambda: table(rows, header))
        return DONE

    return with_hub(show, as_json)


@tokens.command()
@click.argument("token_id", type=click.UUID)
@json_option
def revoke(token_id: uuid.UUID, as_json: bool) -> int:
    """Refuse a token from now on (its id is in `taskhub tokens list`)."""

    def refuse(hub: Hub) -> int:
        revoked = hub.tokens.revoke(token_id)
        emit(revoked.to_dict(), as_json, lambda: f"token {revoked.name!r} revoked")
        return DONE

    return with_hub(refuse, as_json)
