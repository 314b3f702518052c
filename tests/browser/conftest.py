"""Browser tests: the site as a real server process over its own SQLite file, a real SMTP server
that receives its mail, and Debian's chromium driven by Playwright.

The site runs in a subprocess rather than a thread because the app binds one global database proxy:
a server thread would share it with whatever else the test process opens.
"""
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from conftest import TEST_PASSWORD_HASH_METHOD, free_port, running_smtp_sink  # tests/conftest.py

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "tests" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
LOCALES = {"ja": "ja-JP", "en": "en-US"}  # sent as Accept-Language, which picks the site's language


class Inbox:
    """The mail that reached the SMTP sink, parsed, and a wait for a particular one."""

    def __init__(self, sink):
        self.sink, self.port = sink, sink.port

    def mails(self):
        return [message_from_bytes(envelope.content, policy=policy.default) for envelope in self.sink.messages]

    def wait_for(self, text, timeout=10.0):
        """The first mail whose subject or body holds `text`, polling up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for mail in self.mails():
                if text in mail["subject"] or text in mail.get_body(("plain",)).get_content():
                    return mail
            time.sleep(0.1)
        pytest.fail(f"no mail with {text!r} within {timeout} s; got {[m['subject'] for m in self.mails()]}")


@pytest.fixture(scope="module")
def inbox():
    with running_smtp_sink() as sink:
        yield Inbox(sink)


class Site:
    """The running site: its address, and its environment for `flask` commands on the same database."""

    repo = REPO

    def __init__(self, base_url, env, database_file):
        self.base_url, self.env, self.database_file = base_url, env, database_file

    def url(self, path):
        return self.base_url + path

    def flask(self, *args, extra_env=None):
        """Run `flask --app app ARGS` against the site's database; returns the finished process."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO,
                              env=dict(self.env, **(extra_env or {})), capture_output=True, text=True,
                              timeout=60, check=True)


def wait_until_listening(process, port, log_file, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the site exited with {process.returncode}:\n{log_file.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the site did not answer on port {port} within {timeout} s:\n{log_file.read_text()}")


@pytest.fixture(scope="module")
def site(inbox, tmp_path_factory):
    """A fresh site per test module, mailing through `inbox`."""
    folder = tmp_path_factory.mktemp("site")
    port, database_file, log_file = free_port(), folder / "site.sqlite3", folder / "site.log"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database_file}",
               SECRET_KEY="browser-secret", SUBJECT_KEY="browser-subject-key", LEDGER_KEY="browser-ledger-key",
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(inbox.port), OUTBOX_SEND_IMMEDIATELY="1",
               MAIL_SINK_DIR=str(folder / "mail"), PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
               PASSWORD_HASH_METHOD=TEST_PASSWORD_HASH_METHOD,
               FLASK_DEBUG="0", PYTHONUNBUFFERED="1")
    with open(log_file, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port), "--no-reload"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(process, port, log_file)
        yield Site(f"http://127.0.0.1:{port}", env, database_file)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (scripts/install-test-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium):
    """open_page(lang, device="desktop", javascript=True) → a page in a fresh browser context."""
    contexts = []

    def open_(lang="ja", device="desktop", javascript=True):
        context = chromium.new_context(locale=LOCALES[lang], java_script_enabled=javascript,
                                       **DEVICES[device])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name) → tests/screenshots/<name>.png, the whole page (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    return save
