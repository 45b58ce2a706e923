"""The API's tokens in the console: listed, made (the secret shown once), revoked.

``ApiTokens`` (the container's ``api_tokens``), as ``taskhub tokens`` uses it. A new token's
secret is in the answer to the post that made it and nowhere else: not in the session (its
cookie is only signed, anyone holding it can read it), not in a redirect's URL; the answer is
``no-store`` like every console page, so going back does not show it again.
"""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from taskhub.domain.errors import InvalidApiToken
from taskhub.entrypoints.console.blueprint import console
from taskhub.entrypoints.console.forms import ConfirmForm, TokenForm
from taskhub.entrypoints.http.state import api_state


@console.route("/tokens/", methods=["GET", "POST"])
def tokens() -> tuple[str, int]:
    """Every token, and the form that makes one; a post shows the new secret, once."""
    form, tokens = TokenForm(), api_state().container.api_tokens()
    if not form.validate_on_submit():
        return _listed(form, {}), 200
    try:
        issued = tokens.create(form.name.data or "", read_only=bool(form.read_only.data))
    except InvalidApiToken as refused:
        return _listed(form, refused.errors), 422
    return render_template("tokens/created.html", issued=issued), 201


@console.post("/tokens/<uuid:token_id>/revoke")
def revoke_token(token_id: UUID) -> Response:
    """Refuse the token from the next request on (``ApiTokenNotFound``: the missing page)."""
    if ConfirmForm().validate_on_submit():
        revoked = api_state().container.api_tokens().revoke(token_id)
        flash(f"Revoked {revoked.name}: it is refused from the next request on.", "ok")
    return redirect(url_for("console.tokens"), 303)


def _listed(form: TokenForm, errors: dict[str, list[str]]) -> str:
    listed = sorted(api_state().container.api_tokens().list(), key=lambda t: t.created_at,
                    reverse=True)  # fmt: skip
    return render_template(
        "tokens/list.html", form=form, errors=errors, tokens=listed, confirm=ConfirmForm()
    )
