"""Browser tests: the site under gunicorn over its own SQLite file, a real SMTP server
that receives its mail, and Debian's chromium driven by Playwright."""
import os
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from conftest import running_smtp_sink  # tests/conftest.py
from servers import running_site

REPO = Path(__file__).resolve().parents[2]
POLICY_CACHE_SECONDS = 1
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "tests" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "narrow": {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2},    # the smallest phones, and 1280 px zoomed to 400%
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


@pytest.fixture(scope="module")
def site(inbox, tmp_path_factory):
    """A fresh site per test module under gunicorn (two workers), mailing through `inbox`. Each
    worker keeps its copy of the published policy versions for POLICY_CACHE_SECONDS."""
    folder = tmp_path_factory.mktemp("site")
    with running_site(folder, f"sqlite:///{folder / 'site.sqlite3'}", workers=2,
                      MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, OUTBOX_SEND_IMMEDIATELY=1,
                      POLICY_CACHE_SECONDS=POLICY_CACHE_SECONDS) as running:
        running.database_file = folder / "site.sqlite3"
        yield running


STAFF_PASSWORD = "correct horse battery staple"
STAFF_ROLES = ("admin", "auditor", "support")


def staff_email(role):
    return f"{role}@anymykuji.com"


@pytest.fixture(scope="module")
def staff(site):
    """One account per role, made with the CLI as an operator would, on the site's database, and
    a few demo inquiries with their consents for the staff pages to show."""
    for role in STAFF_ROLES:
        site.flask("users", "create", "--role", role, "--email", staff_email(role),
                   extra_env={"MADOGUCHI_PASSWORD": STAFF_PASSWORD})
    site.flask("demo", "populate", "--inquiries", "5", "--seed", "7")
    return STAFF_ROLES


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
