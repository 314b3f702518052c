"""Shared fixtures: an app over a fresh SQLite file per test, its client and CLI runner, and a real
SMTP server (aiosmtpd) that records what reaches it.

The schema (tables, triggers, policy version 1) is built once per session into a template file that
each test's app starts from as a copy; tests/test_foundation.py checks the setup itself."""
import os
import re
import shutil
import sqlite3
import time
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller

import models
from app import create_app
from servers import TEST_ABUSE_SETTINGS, TEST_PASSWORD_HASH_METHOD, free_port, postgres_bin, running_postgres

# Every app the tests build (make_app or create_app itself) and every `flask` command they run
# reads these from the environment: no minimum fill time, high limits (see tests/servers.py).
os.environ.update({name: str(value) for name, value in TEST_ABUSE_SETTINGS.items()})
# Nor does any of them anchor the ledger in the repository's instance/ledger-anchors.log (a real
# site's): tests about anchors name their own file (tests/servers.py gives each site its own).
os.environ["LEDGER_ANCHOR_PATH"] = os.devnull


@pytest.fixture(scope="session")
def prepared_database(tmp_path_factory):
    """A SQLite file holding the whole schema, built once by create_app's own setup. Its journal is
    switched from WAL to DELETE afterwards, so the one file is complete and safe to copy."""
    path = tmp_path_factory.mktemp("prepared") / "schema.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "AUTO_INIT_DB": True,
                      "SECRET_KEY": "test-secret", "SUBJECT_KEY": "test-subject-key",
                      "LEDGER_KEY": "test-ledger-key"})
    app.extensions["database"].close_all()      # the pool's idle connections too: WAL needs them gone
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    finally:
        connection.close()
    for leftover in ("-wal", "-shm", "-journal"):
        assert not path.with_name(path.name + leftover).exists(), f"{leftover} left beside the template"
    return path


@pytest.fixture
def make_app(tmp_path, prepared_database):
    """Build the test app with some settings changed (extensions such as Flask-Mail read their
    settings when the app is made, so changing app.config afterwards is not enough). Its database
    starts as a copy of the prepared schema; a second app in the same test shares that file."""
    def make(**overrides):
        database_file = tmp_path / "test.sqlite3"
        if not database_file.exists():
            shutil.copyfile(prepared_database, database_file)
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{database_file}",
            "AUTO_INIT_DB": False,
            "SECRET_KEY": "test-secret", "SUBJECT_KEY": "test-subject-key", "LEDGER_KEY": "test-ledger-key",
            "MAIL_SINK_DIR": str(tmp_path / "mail"),
            "OUTBOX_SEND_IMMEDIATELY": False,
            # Tests write policy versions straight into the table, as another process would: read
            # them at once (tests/test_policy_cache.py checks the copy kept for a few seconds).
            "POLICY_CACHE_SECONDS": 0,
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
            # No anchor log (never the repository's instance/ one) unless a test names one.
            "LEDGER_ANCHOR_PATH": "",
            **overrides,
        })
        # The tests' own checks query the models outside any request: let them read this app's
        # database (inside a request or app context every app uses its own anyway).
        models.database.initialize(app.extensions["database"])
        return app
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path="/contact"):
    """The token every POST needs, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


STAFF_PASSWORD = "correct horse battery staple"


def sign_in_staff(app, client, role, email=None):
    """Create a staff account with `role` and sign `client` in through the login form, as a person
    would. Returns the account's email."""
    from madoguchi.staff.store import accounts as staff_accounts

    email = email or f"{role}@example.com"
    with app.app_context():
        staff_accounts.create_user(email, role, STAFF_PASSWORD, created_by="test",
                                   hash_method=app.config["PASSWORD_HASH_METHOD"])
    answer = client.post("/staff/login", data={"csrf_token": csrf_token(client, "/staff/login"),
                                               "email": email, "password": STAFF_PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return email


class RecordingHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@contextmanager
def running_smtp_sink():
    """A real SMTP server on loopback; `.messages` holds the envelopes it accepted."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink():
    with running_smtp_sink() as handler:
        yield handler


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL (tests/servers.py) for the whole test session."""
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (no initdb): apt-get install postgresql")
    with running_postgres() as server:
        yield server


@pytest.fixture
def server_in_los_angeles(monkeypatch):
    """The server's clock zone (TZ) set far from Tokyo, so code that leans on local time shows."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    assert time.localtime(0).tm_hour == 16  # 1970-01-01 00:00 UTC was 16:00 the day before in LA
    yield
    monkeypatch.undo()
    time.tzset()
