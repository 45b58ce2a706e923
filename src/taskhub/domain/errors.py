"""Domain errors, each with a stable machine-readable ``code`` that clients may rely on."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID


class DomainError(Exception):
    """Base of every error a client can cause or observe; ``code`` never changes once published."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Input broke a rule; ``errors`` maps each offending field to its problems."""

    code = "invalid_input"
    what = "input"

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {field: list(problems) for field, problems in errors.items()}
        details = "; ".join(f"{field}: {' '.join(p)}" for field, p in self.errors.items())
        super().__init__(f"Invalid {self.what} ({details}).")


class InvalidUserData(InvalidInput):
    code = "invalid_user_data"
    what = "user data"


class InvalidAdministrator(InvalidInput):
    code = "invalid_administrator"
    what = "administrator"


class AdministratorExists(DomainError):
    """An administrator with this username exists already."""

    code = "administrator_exists"

    def __init__(self, username: str) -> None:
        super().__init__(f"An administrator named {username!r} exists already.")
        self.username = username


class InvalidApiToken(InvalidInput):
    code = "invalid_api_token"
    what = "API token"


class ApiTokenNotFound(DomainError):
    code = "api_token_not_found"

    def __init__(self, token_id: UUID) -> None:
        super().__init__(f"No API token has id {token_id}.")
        self.token_id = token_id


class Unauthenticated(DomainError):
    """A request to the API that needs a token came without a valid one (RFC 6750's codes)."""

    code = "authentication_required"

    def __init__(self, message: str = "This API needs a token: send 'Authorization: Bearer "
                 "<token>' (make one with 'taskhub tokens create').") -> None:  # fmt: skip
        super().__init__(message)


class InvalidToken(Unauthenticated):
    """The token given is unknown or revoked: one answer for both, which says nothing more."""

    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("The token is not valid: it is unknown or was revoked.")


class TokenReadOnly(DomainError):
    """A read-only token asked for a change."""

    code = "insufficient_scope"

    def __init__(self) -> None:
        super().__init__("This token may only read; a change needs a token that may write.")


class SignInRefused(DomainError):
    """A sign-in to the console failed. One sentence for every reason (no such account, a wrong
    password, a password no account could have), so the answer never tells which usernames
    exist."""

    code = "sign_in_refused"

    def __init__(self) -> None:
        super().__init__("That username and password do not match an administrator.")


class InvalidQuery(InvalidInput):
    """Paging or filtering arguments out of range or unknown, or a query parameter nothing reads."""

    code = "invalid_query"
    what = "query"


class UserNotFound(DomainError):
    code = "user_not_found"

    def __init__(self, user_id: UUID) -> None:
        super().__init__(f"No user with id {user_id} exists.")
        self.user_id = user_id


class UserAlreadyExists(DomainError):
    """A user with this id exists already: the same creation was attempted twice."""

    code = "user_exists"

    def __init__(self, user_id: UUID) -> None:
        super().__init__(f"A user with id {user_id} already exists.")
        self.user_id = user_id


class UsernameTaken(DomainError):
    code = "username_taken"

    def __init__(self, username: str) -> None:
        super().__init__(f"The username {username!r} is already taken.")
        self.username = username


class EmailTaken(DomainError):
    code = "email_taken"

    def __init__(self, email: str) -> None:
        super().__init__(f"The email address {email!r} is already in use.")
        self.email = email


class TaskNotFound(DomainError):
    code = "task_not_found"

    def __init__(self, task_id: UUID) -> None:
        super().__init__(f"No task with id {task_id} exists.")
        self.task_id = task_id


class InvalidTransition(DomainError):
    """A task was asked to move where its lifecycle forbids: backwards, or out of a final state."""

    code = "invalid_transition"


class TaskStateConflict(DomainError):
    """What was asked of a task conflicts with its status (cancel a finished one, retry a
    running one): nothing was changed; the client may look at the task and decide again."""

    code = "task_state_conflict"


class TaskAlreadyFinished(TaskStateConflict):
    code = "task_already_finished"

    def __init__(self, task_id: UUID, status: str) -> None:
        super().__init__(f"Task {task_id} is already {status}: there is nothing to cancel.")
        self.task_id = task_id


class TaskNotRetryable(TaskStateConflict):
    code = "task_not_retryable"

    def __init__(self, task_id: UUID, status: str) -> None:
        super().__init__(
            f"Task {task_id} is {status}: only a FAILED or CANCELLED task can be retried."
        )
        self.task_id = task_id


class TaskAlreadyRetried(TaskStateConflict):
    """A task is retried once; its retry, if it ends FAILED or CANCELLED too, may be retried."""

    code = "task_already_retried"

    def __init__(self, task_id: UUID, retry_id: UUID) -> None:
        super().__init__(
            f"Task {task_id} was already retried as task {retry_id}; retry that one instead."
        )
        self.task_id = task_id
        self.retry_id = retry_id


class TaskRedacted(TaskStateConflict):
    """A redacted task (its user deleted) no longer records what it asked: it is not retried."""

    code = "task_redacted"

    def __init__(self, task_id: UUID) -> None:
        super().__init__(
            f"Task {task_id} was redacted (its user was deleted): its input no longer says what "
            "it asked, so it cannot be retried."
        )
        self.task_id = task_id


class IdempotencyKeyReused(DomainError):
    """An idempotency key came back with a different request than the one it was first used for."""

    code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__(f"The idempotency key {key!r} was already used for a different request.")
        self.key = key


class IdempotencyKeyInFlight(DomainError):
    """A request with the same idempotency key is being submitted at this very moment."""

    code = "idempotency_key_in_flight"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"A request with the idempotency key {key!r} is being submitted right now."
        )
        self.key = key
