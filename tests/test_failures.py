"""Failures are pages, not tracebacks: a database that cannot answer (missing, read-only, locked,
the ledger's lock held too long) gives a 503 page in the customer's language with Retry-After,
rendered without the database; the text promises only what is true; with htmx the answer is the
same message alone. Everything here is real SQLite trouble, made in the test."""
import fcntl
import re
import sqlite3
import time
from contextlib import contextmanager

from inquiry_helpers import GOOD_ANSWERS, agree, post_form, token_of
from models import ConsentEvent, Inquiry, database

HX = {"HX-Request": "true"}
UNAVAILABLE = {"ja": "ただいまサービスを一時的にご利用いただけません", "en": "The service is temporarily unavailable"}
NOT_SAVED = {"ja": "保存されていない可能性がございます", "en": "may not have been saved"}
SEND_AGAIN = {"ja": "二重に受け付けることはございません", "en": "it is never stored twice"}
PROMISES_KEPT = ("has been lost", "失われ", "is kept", "残って")


def text_of(response):
    """The page as shown: without the <template> of the message for requests with no answer."""
    return re.sub(r"<template.*?</template>", "", response.get_data(as_text=True), flags=re.S)


def assert_unavailable_page(response, lang="ja"):
    page = text_of(response)
    assert response.status_code == 503, page[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert UNAVAILABLE[lang] in page
    assert not any(promise in page for promise in PROMISES_KEPT)
    return page


def stored(app):
    with app.app_context(), database.connection_context():
        return Inquiry.select().count(), ConsentEvent.select().count()


@contextmanager
def read_only(app):
    """The app's SQLite connections refuse every write ("attempt to write a readonly database"),
    as on a read-only disk: `permanent` applies the pragma to each new connection too."""
    sqlite = app.extensions["database"]
    sqlite.pragma("query_only", 1, permanent=True)
    sqlite.close()
    try:
        yield
    finally:
        sqlite.pragma("query_only", 0, permanent=True)
        sqlite.close()


def at_confirm(client):
    agree(client)
    assert post_form(client, "/contact/form/details", GOOD_ANSWERS).status_code == 303
    return token_of(text_of(client.get("/contact/form/confirm")))


def test_a_missing_database_gives_503_pages_in_both_languages_and_the_contact_page_still_shows(
        make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'gone' / 'madoguchi.sqlite3'}")
    client = app.test_client()
    assert_unavailable_page(client.get("/contact/form"), "ja")
    english = assert_unavailable_page(client.get("/contact/form", headers={"Accept-Language": "en"}), "en")
    assert '<html lang="en">' in english
    # The contact page needs the database only for the policy notice, which is left out.
    assert client.get("/contact").status_code == 200


def test_a_read_only_database_says_the_answers_may_not_be_saved_and_the_site_recovers(app, client):
    agree(client)
    with read_only(app):
        page = assert_unavailable_page(post_form(client, "/contact/form/details", GOOD_ANSWERS))
        assert NOT_SAVED["ja"] in page
    assert post_form(client, "/contact/form/details", GOOD_ANSWERS).status_code == 303


def assert_nothing_stored_then_sending_again_works(app, client, token):
    assert stored(app) == (0, 0)
    assert client.post("/contact/form/confirm", data={"csrf_token": token}).status_code == 303
    assert stored(app) == (1, 1)


def test_a_read_only_database_at_confirm_stores_nothing_and_sending_again_works(app, client):
    token = at_confirm(client)
    with read_only(app):
        page = assert_unavailable_page(client.post("/contact/form/confirm", data={"csrf_token": token}))
        assert SEND_AGAIN["ja"] in page
    assert_nothing_stored_then_sending_again_works(app, client, token)


def test_the_ledger_lock_held_by_a_stuck_writer_gives_503_after_the_timeout(make_app):
    app = make_app(LEDGER_LOCK_TIMEOUT=1)
    client = app.test_client()
    token = at_confirm(client)
    lock_path = f"{app.extensions['database'].database}-writers.lock"
    with open(lock_path, "a") as stuck_writer:
        fcntl.flock(stuck_writer, fcntl.LOCK_EX)
        started = time.monotonic()
        answer = client.post("/contact/form/confirm", data={"csrf_token": token}, headers=HX)
        waited = time.monotonic() - started
    assert 1 <= waited < 3
    assert_unavailable_page(answer)
    assert_nothing_stored_then_sending_again_works(app, client, token)


def test_another_connection_holding_the_write_lock_gives_503_after_the_timeout(make_app):
    app = make_app(LEDGER_LOCK_TIMEOUT=1)
    client = app.test_client()
    token = at_confirm(client)
    other = sqlite3.connect(app.extensions["database"].database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        answer = client.post("/contact/form/confirm", data={"csrf_token": token})
        assert time.monotonic() - started < 3
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_unavailable_page(answer)
    assert_nothing_stored_then_sending_again_works(app, client, token)


def test_with_htmx_an_error_answer_is_the_pages_message_alone(app, client):
    agree(client)
    with read_only(app):
        full = text_of(post_form(client, "/contact/form/details", GOOD_ANSWERS))
        fragment = assert_unavailable_page(post_form(client, "/contact/form/details", GOOD_ANSWERS, headers=HX))
    assert "<html" not in fragment and "<title>" not in fragment
    assert re.search(r'<div id="problem" class="problem" tabindex="-1" role="alert">', fragment)
    message = re.search(r"<h1>.*?</div>", fragment, re.S).group(0)
    assert message in full                              # the same words as the page without JavaScript


def test_an_expired_form_and_a_too_large_post_answer_htmx_with_their_message(client):
    agree(client)
    expired = client.post("/contact/form/details", data={**GOOD_ANSWERS, "csrf_token": "stale"}, headers=HX)
    assert expired.status_code == 400 and 'id="problem"' in text_of(expired)
    assert "何も保存されておりません" in text_of(expired) and "<html" not in text_of(expired)
    token = token_of(text_of(client.get("/contact/form/details")))
    huge = client.post("/contact/form/details", headers=HX,
                       data={**GOOD_ANSWERS, "csrf_token": token, "message": "あ" * 70_000})
    assert huge.status_code == 413 and 'id="problem"' in text_of(huge)
