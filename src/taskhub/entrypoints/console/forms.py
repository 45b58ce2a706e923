"""The console's forms. Each carries a CSRF token (Flask-WTF) and nothing more: what a field
may hold is the domain's to say, when the command is made, so the form and the API can never
disagree about a username."""

from __future__ import annotations

import json
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField

USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active")


class SignInForm(FlaskForm):
    username = StringField("Username", render_kw={"autocomplete": "username"})
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A button behind a CSRF token: sign out, delete."""


class UserForm(FlaskForm):
    """Every field of a user: a create, or a replace (PUT), where a field left blank resets."""

    username = StringField("Username", render_kw={"autocomplete": "off"})
    email = EmailField("Email")
    first_name = StringField("First name")
    last_name = StringField("Last name")
    is_active = BooleanField("Active", default=True)

    def values(self) -> dict[str, Any]:
        """Every field as the form holds it; a text field the post left out is blank."""
        given = {name: self[name].data for name in USER_FIELDS}
        return {name: "" if value is None else value for name, value in given.items()}


class PatchForm(UserForm):
    """A PATCH: only the fields changed from what the form showed are sent, so a field another
    administrator changed meanwhile is not written back with the value this page showed."""

    shown = HiddenField()

    def show(self, stored: dict[str, Any], entered: dict[str, Any]) -> None:
        """Fill the fields with ``entered``, and remember ``stored`` as what was shown."""
        self.process(data=entered)
        self.shown.data = json.dumps({name: stored.get(name) for name in USER_FIELDS})

    def changes(self) -> dict[str, Any]:
        try:
            shown = json.loads(self.shown.data or "{}")
        except ValueError:
            shown = {}
        shown = shown if isinstance(shown, dict) else {}
        return {name: value for name, value in self.values().items() if shown.get(name) != value}


class TokenForm(FlaskForm):
    """A new API token: what it is for, and whether it may only read."""

    name = StringField("Name", render_kw={"autocomplete": "off", "maxlength": 100})
    read_only = BooleanField("Read-only (GET only: no changes)")
