"""Each process keeps a copy of the published policy versions and their rendered texts
(policy/store/versions.py, views/site.py): public pages ask the database nothing, a publish in the
process is seen at once, another process's within POLICY_CACHE_SECONDS, drafts are never kept."""
import logging
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest

from conftest import csrf_token, sign_in_staff
from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin
from madoguchi.policy.store import versions as policy_store
from models import PolicyVersion
from test_admin_policy import create_draft, draft_data
from views import site

KEPT_FOR = 60   # seconds: far longer than any test, so only a publish or the clock can refresh


@pytest.fixture
def app(make_app):
    return make_app(POLICY_CACHE_SECONDS=KEPT_FOR)


def version_text(title):
    return f"# {title}\n\n## 1. 変更点\n\n本文です。\n"


def values(label, effective_at, title):
    text = version_text(title)
    return {"label": label, "text_ja": text, "text_en": text, "change_summary": "改定",
            "change_summary_en": "Revised", "significant": True, "effective_at": effective_at}


def insert_published(app, label, effective_at, title):
    """A version published by another process: written straight to the table."""
    text = version_text(title)
    with app.app_context():
        PolicyVersion.create(label=label, effective_at=effective_at, text_ja=text, text_en=text,
                             sha256_ja=revisions.sha256_text(text), sha256_en=revisions.sha256_text(text),
                             published_at=utcnow(), published_by="another process")


def title_on(client, path="/privacy"):
    """The policy page's own <h1>, in <main> (the page may hold other hidden messages)."""
    main = client.get(path).get_data(as_text=True).split('<main id="main"', 1)[1]
    return re.search(r"<h1>(.*?)</h1>", main).group(1)


@contextmanager
def counted_queries():
    """The SQL statements Peewee runs inside the block (its logger names each one)."""
    statements = []

    class Recorder(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":        # not peewee.pool's notes on its connections
                statements.append(record.getMessage())

    logger, recorder = logging.getLogger("peewee"), Recorder()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(recorder)
    try:
        yield statements
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)


def test_a_publish_in_this_process_is_shown_at_once(app, client):
    assert title_on(client) == "エニマイくじが取得する個人情報の取扱いについて"
    with app.app_context():
        policy_admin.publish_new(values("2", utcnow() - timedelta(minutes=1), "第2版"), "admin")
    assert title_on(client) == "第2版"
    assert "2" in client.get("/contact/form").get_data(as_text=True)


def test_another_process_publish_is_shown_once_the_copy_is_older_than_the_setting(app, client, monkeypatch):
    assert title_on(client) == "エニマイくじが取得する個人情報の取扱いについて"
    insert_published(app, "2", utcnow() - timedelta(minutes=1), "第2版")
    assert title_on(client) == "エニマイくじが取得する個人情報の取扱いについて"   # the copy, still fresh
    assert title_on(client, "/privacy/2") == "第2版"    # a label the copy lacks is looked up
    later = policy_store.time.monotonic() + KEPT_FOR + 1
    monkeypatch.setattr(policy_store.time, "monotonic", lambda: later)
    assert title_on(client) == "第2版"


def test_a_scheduled_version_becomes_current_at_its_time_from_the_copy(app, client, monkeypatch):
    takes_effect = utcnow() + timedelta(hours=1)
    with app.app_context():
        policy_admin.publish_new(values("2", takes_effect, "予定の版"), "admin")
    assert title_on(client) == "エニマイくじが取得する個人情報の取扱いについて"
    with app.app_context(), counted_queries() as statements:
        assert policy_store.current_version(takes_effect - timedelta(seconds=1)).label == "1"
        assert policy_store.current_version(takes_effect).label == "2"
    assert statements == []
    # The site's clock moves past the effective time; the copy is still fresh, yet 2 is current.
    monkeypatch.setattr(policy_store, "utcnow", lambda: takes_effect + timedelta(seconds=1))
    assert title_on(client) == "予定の版"
    assert 'value="2"' in client.get("/contact/form").get_data(as_text=True)


def test_a_draft_preview_is_never_kept(app, client):
    sign_in_staff(app, client, "admin")
    draft_id = create_draft(client, app, text_ja=version_text("下書き一"))
    preview = f"/staff/admin/policies/{draft_id}"
    assert "下書き一" in client.get(preview).get_data(as_text=True)
    edited = client.post(f"{preview}/edit", data=draft_data(client, app, text_ja=version_text("下書き二")))
    assert edited.status_code == 302
    shown = client.get(preview).get_data(as_text=True)
    assert "下書き二" in shown and "下書き一" not in shown
    assert not any("下書き" in text for text, _contact in site._rendered_published)


def test_public_pages_ask_the_database_nothing_once_the_copy_is_read(app, client):
    token = csrf_token(client, "/contact")
    for path in ("/privacy", "/contact", "/contact/form", "/privacy/1"):
        client.get(path)
        with counted_queries() as statements:
            assert client.get(path).status_code == 200
        assert statements == [], path
    with counted_queries() as statements:
        advice = client.post("/contact/form/email-advice", data={"email": "taro@docomo.ne.jp"},
                             headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert advice.status_code == 200 and statements == []


def test_the_published_text_is_parsed_once_per_process(app, client, monkeypatch):
    monkeypatch.setattr(site, "_rendered_published", {})   # as a fresh process starts
    parsed = []
    real_parse = site.policy_text.parse
    monkeypatch.setattr(site.policy_text, "parse", lambda text: parsed.append(text) or real_parse(text))
    for lang in ("ja", "en", "ja", "en"):
        client.get("/privacy", headers={"Accept-Language": lang})
    assert len(parsed) == 2   # each language once, though the page shows title, contents and text


def test_an_app_without_a_kept_copy_reads_every_time(make_app):
    app = make_app(POLICY_CACHE_SECONDS=0)
    with app.app_context(), counted_queries() as statements:
        policy_store.current_version()
        policy_store.current_version()
    assert len(statements) == 2
