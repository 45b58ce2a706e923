"""Settings of access: who may use taskhub, starting with the console's first administrator."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import (
    BaseModel,
    SecretStr,
    model_validator,
)

from taskhub.domain.administrator import MIN_PASSWORD_LENGTH, validate_administrator
from taskhub.domain.errors import InvalidAdministrator
from taskhub.settings.values import (
    setting,
)


class AccessSettings(BaseModel):
    """Who may use taskhub: the first administrator of the console."""

    auth: Literal["off", "required"] = setting(
        "off",
        "`required`: every `/api/` call but the OpenAPI document needs a bearer token (`taskhub "
        "tokens create`), else 401; `off`: anyone who reaches the port may call the API",
    )
    admin_username: str = setting(
        "", "the first administrator of the console, made at start if missing", shown="(none)"
    )
    admin_email: str = setting("", "that administrator's email address", shown="(none)")
    admin_password: SecretStr = setting(
        SecretStr(""),
        f"that administrator's password (at least {MIN_PASSWORD_LENGTH} characters), used only "
        "when the account is made",
        shown="(none)",
    )

    @model_validator(mode="after")
    def _check_administrator(self) -> Self:
        given = self.administrator
        if not any(given.values()):
            return self
        if missing := ["TASKHUB_ADMIN_" + name.upper() for name, v in given.items() if not v]:
            raise ValueError(
                "TASKHUB_ADMIN_USERNAME, TASKHUB_ADMIN_EMAIL and TASKHUB_ADMIN_PASSWORD go "
                f"together: set {' and '.join(missing)} too."
            )
        try:
            validate_administrator(**given)
        except InvalidAdministrator as invalid:
            field, problems = next(iter(invalid.errors.items()))
            said = f"TASKHUB_ADMIN_{field.upper()} is refused: {' '.join(problems)}"
            raise ValueError(said) from None
        return self

    @property
    def administrator(self) -> dict[str, str]:
        """The first administrator's ``username``, ``email`` and ``password`` ("" if unset)."""
        password = self.admin_password.get_secret_value()
        return {"username": self.admin_username, "email": self.admin_email, "password": password}
