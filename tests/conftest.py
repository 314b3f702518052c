"""Shared fixtures: an app over a fresh SQLite file per test, its client and CLI runner, and a real
SMTP server (aiosmtpd) that records what reaches it."""
import re
import socket
import time
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller

import models
from app import create_app


@pytest.fixture
def make_app(tmp_path):
    """Build the test app with some settings changed (extensions such as Flask-Mail read their
    settings when the app is made, so changing app.config afterwards is not enough)."""
    def make(**overrides):
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
            "SECRET_KEY": "test-secret", "SUBJECT_KEY": "test-subject-key", "LEDGER_KEY": "test-ledger-key",
            "MAIL_SINK_DIR": str(tmp_path / "mail"),
            "OUTBOX_SEND_IMMEDIATELY": False,
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
    app.config.update(STAFF_LOGIN_DELAY_STEP=0, STAFF_LOGIN_DELAY_MAX=0)
    with app.app_context():
        staff_accounts.create_user(email, role, STAFF_PASSWORD, created_by="test")
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@pytest.fixture
def server_in_los_angeles(monkeypatch):
    """The server's clock zone (TZ) set far from Tokyo, so code that leans on local time shows."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    assert time.localtime(0).tm_hour == 16  # 1970-01-01 00:00 UTC was 16:00 the day before in LA
    yield
    monkeypatch.undo()
    time.tzset()
