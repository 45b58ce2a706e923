"""The console's defences: sessions, CSRF, the sign-in throttle, no enumeration, its headers."""

from __future__ import annotations

import re
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from taskhub.entrypoints.console.sessions import PUBLIC
from taskhub.testing import HeldBus
from tests.console.conftest import PASSWORD, csrf_token, sign_in
from tests.http.apps import task_total


def console_pages(app: Flask) -> list[tuple[str, str]]:
    """Every console URL but the public ones, with a random id for each parameter, and the
    method its page answers."""
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or rule.endpoint in PUBLIC:
            continue
        url = re.sub(r"<[^>]+>", str(uuid.uuid4()), rule.rule)
        pages.append(("GET" if "GET" in (rule.methods or ()) else "POST", url))
    return pages


def test_every_console_page_without_a_session_redirects_to_sign_in_and_back(
    app: Flask, client: FlaskClient
) -> None:
    pages = console_pages(app)
    assert len([url for method, url in pages if method == "GET"]) >= 13
    for method, url in pages:
        answer = client.open(url, method=method)
        if method == "POST":  # a post without a session has no CSRF token to match: refused
            assert answer.status_code == 400, url
            continue
        assert answer.status_code == 302, url
        where = urlsplit(answer.headers["Location"])
        assert where.path == "/admin/login"
        assert parse_qs(where.query)["next"] == [url], url


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/admin/", "//evil.example/admin/", "/\\evil.example", "/api/users/",
     "javascript:alert(1)", "/admin/\r\nSet-Cookie: x=1", "admin/users/"],
)  # fmt: skip
def test_signing_in_never_goes_anywhere_but_a_console_page(
    client: FlaskClient, target: str
) -> None:
    form = {"username": "root", "password": PASSWORD, "next": target}
    answer = client.post("/admin/login", data={**form, "csrf_token": csrf_token(client)})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/"


def test_signing_in_goes_back_to_the_page_it_was_asked_from(client: FlaskClient) -> None:
    asked = client.get("/admin/users/?search=ada&sort=email").headers["Location"]
    page = parse_qs(urlsplit(asked).query)["next"][0]
    form = {"username": "root", "password": PASSWORD, "next": page}
    answer = client.post("/admin/login", data={**form, "csrf_token": csrf_token(client)})
    assert answer.headers["Location"] == "/admin/users/?search=ada&sort=email"


def test_a_form_post_without_or_with_a_wrong_csrf_token_is_refused_and_does_nothing(
    app: Flask, admin: FlaskClient
) -> None:
    before = task_total(admin)
    fields = {"username": "mallory", "email": "mallory@example.com"}
    other = app.test_client()
    for token in (None, "not-a-token", csrf_token(other)):  # none, forged, another session's
        sent = fields if token is None else {**fields, "csrf_token": token}
        answer = admin.post("/admin/users/new", data=sent)
        assert answer.status_code == 400
        assert "Nothing was changed" in answer.text
    assert task_total(admin) == before
    assert admin.post("/admin/logout").status_code == 400  # signing out needs its token too
    assert admin.get("/admin/users/").status_code == 200


def test_cancel_retry_and_token_forms_without_their_csrf_token_are_refused_and_do_nothing(
    app: Flask, admin: FlaskClient, held_bus: HeldBus
) -> None:
    tokens = app.extensions["taskhub"].container.api_tokens()
    pending = admin.post("/api/users/", json={"username": "ada", "email": "ada@example.com"})
    task_id = pending.json["task_id"]
    kept = tokens.create("kept").token
    other = app.test_client()
    for token in (None, "not-a-token", csrf_token(other)):
        sent = {} if token is None else {"csrf_token": token}
        for url, fields in ((f"/admin/tasks/{task_id}/cancel", {}),
                            (f"/admin/tasks/{task_id}/retry", {}),
                            ("/admin/tokens/", {"name": "mallory"}),
                            (f"/admin/tokens/{kept.id}/revoke", {})):  # fmt: skip
            answer = admin.post(url, data={**fields, **sent})
            assert answer.status_code == 400, url
            assert "Nothing was changed" in answer.text
    assert admin.get(f"/api/tasks/{task_id}/").json["status"] == "PENDING"
    assert [(t.name, t.is_active) for t in tokens.list()] == [("kept", True)]


def test_the_json_api_needs_no_csrf_token(client: FlaskClient) -> None:
    created = client.post("/api/users/", json={"username": "ada", "email": "ada@example.com"})
    assert created.status_code == 202


def test_repeated_wrong_passwords_for_an_account_are_refused_unheard_for_a_while(
    client: FlaskClient,
) -> None:
    for _ in range(5):
        assert "do not match" in sign_in(client, password="a wrong password!")
    form = {"username": "root", "password": PASSWORD, "csrf_token": csrf_token(client)}
    refused = client.post("/admin/login", data=form)  # the right password, too late
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    assert f"try again in {wait} s" in refused.text
    assert sign_in(client, "someone-else", "a wrong password!").startswith("<!doctype")


def test_a_client_guessing_across_accounts_is_refused_past_its_own_bound(
    client: FlaskClient,
) -> None:
    for attempt in range(20):
        assert "do not match" in sign_in(client, f"guess{attempt}", "a wrong password!")
    form = {"username": "root", "password": PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/admin/login", data=form).status_code == 429


def test_an_unknown_username_gets_the_same_answer_in_about_the_same_time(
    client: FlaskClient,
) -> None:
    def attempt(username: str) -> tuple[str, float]:
        token = csrf_token(client)
        form = {"username": username, "password": "a wrong password!", "csrf_token": token}
        started = time.perf_counter()
        answer = client.post("/admin/login", data=form)
        spent = time.perf_counter() - started
        said = re.search(r'role="alert" id="sign-in-error">([^<]+)<', answer.text)
        assert said, answer.text
        return said.group(1), spent

    known = [attempt("root") for _ in range(3)]
    unknown = [attempt(f"nobody{n}") for n in range(3)]
    assert {said for said, _ in known + unknown} == {known[0][0]}
    fastest_known = min(spent for _, spent in known)
    assert min(spent for _, spent in unknown) > fastest_known / 2, (known, unknown)


def test_a_sign_in_expires_after_its_lifetime(app: Flask, admin: FlaskClient) -> None:
    lifetime = app.extensions["taskhub"].container.settings().console_session_lifetime
    with admin.session_transaction("/admin/") as session:  # the cookie is on /admin only
        session["signed_in_at"] -= lifetime.total_seconds() + 1
    assert admin.get("/admin/users/").status_code == 302
    assert admin.get("/admin/users/").status_code == 302  # and it stays signed out


def test_signing_out_ends_the_session(admin: FlaskClient) -> None:
    answer = admin.post("/admin/logout", data={"csrf_token": csrf_token(admin, "/admin/users/")})
    assert (answer.status_code, answer.headers["Location"]) == (303, "/admin/login")
    assert admin.get("/admin/users/").status_code == 302


def test_a_copy_of_the_cookie_made_before_signing_out_is_refused_after(
    app: Flask, admin: FlaskClient
) -> None:
    cookie = admin.get_cookie("taskhub_console", path="/admin")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("taskhub_console", cookie.value, path="/admin")
    assert thief.get("/admin/users/").status_code == 200  # the copy works while signed in
    admin.post("/admin/logout", data={"csrf_token": csrf_token(admin, "/admin/users/")})
    assert thief.get("/admin/users/").status_code == 302
    assert sign_in(admin) == "/admin/"  # a new sign-in is a new session
    assert admin.get("/admin/users/").status_code == 200
    assert thief.get("/admin/users/").status_code == 302


def test_the_session_cookie_is_httponly_lax_on_the_console_only_and_secure_over_https(
    client: FlaskClient,
) -> None:
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        token = csrf_token(client)
        form = {"username": "root", "password": PASSWORD, "csrf_token": token}
        headers = {"Referer": f"{base}/admin/login"}  # Flask-WTF checks it over HTTPS
        answer = client.post("/admin/login", data=form, base_url=base, headers=headers)
        assert answer.status_code == 303, answer.text
        cookie = answer.headers["Set-Cookie"]
        assert cookie.startswith("taskhub_console=")
        assert {"HttpOnly", "SameSite=Lax", "Path=/admin"} <= set(cookie.split("; "))
        assert ("Secure" in cookie.split("; ")) is secure


def test_every_console_answer_carries_the_security_headers(admin: FlaskClient) -> None:
    task_id = admin.post("/api/users/", json={"username": "ada", "email": "ada@example.com"}).json[
        "task_id"
    ]
    pages = ["/admin/login", "/admin/users/", "/admin/users/new", f"/admin/users/{uuid.uuid4()}/",
             "/admin/overview/", "/admin/tasks/", f"/admin/tasks/{task_id}/", "/admin/tokens/",
             f"/admin/tasks/{uuid.uuid4()}/"]  # fmt: skip
    for answer in [admin.get(page) for page in pages]:
        csp = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["Cache-Control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text), "no inline script"
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", answer.text), "no inline style/handler"
    static = admin.get("/admin/static/progress.js")
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in static.headers["Cache-Control"]


def test_attempts_sent_at_once_are_counted_before_any_is_heard(app: Flask) -> None:
    """Each is counted before its password is checked: of 12 at once, at most 5 are heard."""
    clients = [app.test_client() for _ in range(12)]
    forms = [{"username": "root", "password": "a wrong password!", "csrf_token": csrf_token(c)}
             for c in clients]  # fmt: skip
    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda c=c, f=f: answers.append(
            c.post("/admin/login", data=f).status_code))
        for c, f in zip(clients, forms, strict=True)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (answers.count(200), answers.count(429)) == (5, 7)


def test_another_client_failing_for_an_account_does_not_lock_its_administrator_out(
    app: Flask,
) -> None:
    attacker, owner = app.test_client(), app.test_client()
    attacker.environ_base["REMOTE_ADDR"], owner.environ_base["REMOTE_ADDR"] = (
        "203.0.113.66", "198.51.100.1")  # fmt: skip
    for _ in range(6):
        sign_in(attacker, password="a wrong password!")
    assert attacker.post("/admin/login", data={"username": "root", "password": PASSWORD,
                         "csrf_token": csrf_token(attacker)}).status_code == 429  # fmt: skip
    assert sign_in(owner) == "/admin/"  # signed in: redirected to the console


def test_spellings_of_one_username_share_one_count(client: FlaskClient) -> None:
    composed, decomposed = "jos\u00e9", "jose\u0301"
    for name in (composed, decomposed, composed, decomposed, composed):
        assert "do not match" in sign_in(client, name, "a wrong password!")
    form = {"username": decomposed, "password": "x" * 12, "csrf_token": csrf_token(client)}
    assert client.post("/admin/login", data=form).status_code == 429


def test_an_answer_under_admin_that_no_page_matched_has_the_consoles_headers(
    client: FlaskClient,
) -> None:
    answer = client.get("/admin/no-such-page")
    assert answer.status_code == 404
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
