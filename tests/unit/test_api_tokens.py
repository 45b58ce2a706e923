"""API tokens through their use case: a secret shown once and kept as a digest, refused when
unknown or revoked, read-only ones kept to reads, and a last use written at most once a minute."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from taskhub.domain.api_token import SECRET_PREFIX, digest_of
from taskhub.domain.errors import ApiTokenNotFound, InvalidApiToken, InvalidToken
from taskhub.entrypoints.library import Hub
from taskhub.testing import ManualClock


def test_a_token_is_made_with_a_secret_shown_once_and_stored_as_its_digest(hub: Hub) -> None:
    issued = hub.tokens.create("  ci-deploy ")
    assert issued.secret.startswith(SECRET_PREFIX)
    assert len(issued.secret) > 40
    listed = hub.tokens.list()
    assert [t.name for t in listed] == ["ci-deploy"]
    assert listed[0].digest == digest_of(issued.secret) != issued.secret
    assert issued.secret not in str(listed[0].to_dict())
    assert "digest" not in listed[0].to_dict()
    assert listed[0].to_dict()["hint"] == issued.secret[:10]


def test_only_an_active_tokens_own_secret_authenticates(hub: Hub, clock: ManualClock) -> None:
    issued = hub.tokens.create("ci")
    assert hub.tokens.authenticate(issued.secret).id == issued.token.id
    for wrong in (issued.secret[:-1], issued.secret + "x", "", SECRET_PREFIX):
        with pytest.raises(InvalidToken):
            hub.tokens.authenticate(wrong)
    hub.tokens.revoke(issued.token.id)
    hub.tokens.revoke(issued.token.id)  # harmless twice
    with pytest.raises(InvalidToken) as refused:
        hub.tokens.authenticate(issued.secret)
    assert refused.value.code == "invalid_token"
    assert hub.tokens.list()[0].revoked_at == clock.now()


def test_a_read_only_token_allows_reads_only(hub: Hub) -> None:
    token = hub.tokens.create("dashboard", read_only=True).token
    assert (token.allows(writes=False), token.allows(writes=True)) == (True, False)


def test_a_last_use_is_written_at_most_once_a_minute(hub: Hub, clock: ManualClock) -> None:
    issued = hub.tokens.create("ci")
    assert hub.tokens.list()[0].last_used_at is None
    hub.tokens.authenticate(issued.secret)
    first = clock.now()
    clock.advance(timedelta(seconds=59))
    hub.tokens.authenticate(issued.secret)
    assert hub.tokens.list()[0].last_used_at == first
    clock.advance(timedelta(seconds=1))
    hub.tokens.authenticate(issued.secret)
    assert hub.tokens.list()[0].last_used_at == clock.now()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\nname"])
def test_a_token_needs_a_name_that_says_what_it_is_for(hub: Hub, name: str) -> None:
    with pytest.raises(InvalidApiToken) as refused:
        hub.tokens.create(name)
    assert list(refused.value.errors) == ["name"]
    assert hub.tokens.list() == []


def test_revoking_a_token_that_does_not_exist_says_so(hub: Hub) -> None:
    with pytest.raises(ApiTokenNotFound):
        hub.tokens.revoke(uuid4())
