"""With JavaScript, an error answer during a step shows its message in the page, above the form
that keeps what was typed; focus moves to the message and the button works again. The errors are
real: an invalid CSRF token in the page (400), a message far too large (413), the ledger's lock
held by a stuck writer (503), a fault in the database (500), and a request that gets no
answer at all."""
import fcntl
import sqlite3
import re

import pytest
from playwright.sync_api import expect

from servers import running_site

pytestmark = pytest.mark.browser

WORDS = {
    "ja": {"agree": "同意して進む", "continue": "次へ進む", "send": "送信する", "expired": "セッション",
           "too_large": "送信された内容が大きすぎます", "unavailable": "ただいまサービスを一時的にご利用いただけません",
           "no_answer": "通信がうまくいきませんでした"},
    "en": {"agree": "Agree and continue", "continue": "Continue", "send": "Send", "expired": "Your session has expired",
           "too_large": "What you sent is too large", "unavailable": "The service is temporarily unavailable",
           "no_answer": "Your request did not get through"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site whose requests wait at most 1 s for the ledger's lock."""
    folder = tmp_path_factory.mktemp("errors-site")
    with running_site(folder, f"sqlite:///{folder / 'site.sqlite3'}", workers=2,
                      OUTBOX_SEND_IMMEDIATELY=0, LEDGER_LOCK_TIMEOUT=1) as running:
        running.database_file = folder / "site.sqlite3"
        yield running


def to_details(page, site, lang):
    page.goto(site.url("/contact/form"))
    page.locator("#agree").check()
    page.get_by_role("button", name=WORDS[lang]["agree"]).click()
    page.locator("#name").fill("山田 太郎")
    page.locator("#email").fill("taro@example.jp")
    page.locator("#email_confirm").fill("taro@example.jp")
    page.locator("#category").select_option("prizes")
    page.locator("#message").fill("賞品がまだ届きません。")


def assert_message_shown(page, text):
    problem = page.locator("#request-error #problem")
    expect(problem).to_contain_text(text)
    expect(problem).to_be_focused()


@pytest.mark.parametrize("lang", ["ja"])
def test_an_expired_form_and_a_too_large_message_are_explained_in_the_page(site, open_page, screenshot, lang):
    page = open_page(lang)
    to_details(page, site, lang)
    button = page.get_by_role("button", name=WORDS[lang]["continue"], exact=True)

    page.locator('#main input[name="csrf_token"]').evaluate("field => field.value = 'stale'")
    button.click()
    assert_message_shown(page, WORDS[lang]["expired"])
    expect(button).to_be_enabled()
    expect(page.locator("#name")).to_have_value("山田 太郎")         # the form is still there
    screenshot(page, f"error-expired-{lang}")

    page.reload()                                                   # a fresh token; the draft was not saved
    to_details(page, site, lang)
    page.locator("#message").evaluate("field => field.value = 'あ'.repeat(70000)")
    page.get_by_role("button", name=WORDS[lang]["continue"], exact=True).click()
    assert_message_shown(page, WORDS[lang]["too_large"])
    expect(page.get_by_role("button", name=WORDS[lang]["continue"], exact=True)).to_be_enabled()
    screenshot(page, f"error-too-large-{lang}")


def test_a_busy_ledger_shows_503_in_the_page_and_sending_again_works(site, open_page, screenshot):
    page = open_page("ja", device="phone")
    to_details(page, site, "ja")
    page.get_by_role("button", name=WORDS["ja"]["continue"], exact=True).click()
    send = page.get_by_role("button", name=WORDS["ja"]["send"], exact=True)
    with open(f"{site.database_file}-writers.lock", "a") as stuck_writer:
        fcntl.flock(stuck_writer, fcntl.LOCK_EX)
        send.click()
        assert_message_shown(page, WORDS["ja"]["unavailable"])
    expect(send).to_be_enabled()
    screenshot(page, "error-unavailable-ja-phone")
    send.click()
    expect(page.locator("#reference")).to_have_text(re.compile(r"AMK-\d{8}-\w{4}"))
    expect(page.locator("#request-error")).to_be_empty()


def test_a_request_without_an_answer_shows_a_message_and_the_button_works_again(site, open_page, screenshot):
    page = open_page("en")
    to_details(page, site, "en")
    page.route("**/contact/form/details", lambda route: route.abort("connectionreset"), times=1)
    button = page.get_by_role("button", name=WORDS["en"]["continue"], exact=True)
    button.click()
    assert_message_shown(page, WORDS["en"]["no_answer"])
    expect(button).to_be_enabled()
    screenshot(page, "error-no-answer-en")
    button.click()
    expect(page.locator("dl.summary")).to_be_visible()


def test_a_server_fault_shows_500_in_the_page_and_sending_again_works(site, open_page):
    """A real fault: the drafts table refuses every write (a trigger raising an error, which is no
    outage of the database but a constraint failure), so saving the details fails with 500."""
    page = open_page("en", device="narrow")
    to_details(page, site, "en")
    database = sqlite3.connect(site.database_file)
    try:
        table = database.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%draft%'").fetchone()[0]
        for event in ("INSERT", "UPDATE"):
            database.execute(f"CREATE TRIGGER fault_{event} BEFORE {event} ON {table} "
                             "BEGIN SELECT RAISE(ABORT, 'a fault for the test'); END")
        database.commit()
        button = page.get_by_role("button", name=WORDS["en"]["continue"], exact=True)
        button.click()
        assert_message_shown(page, "Sorry, there is a problem with the service")
        expect(page.locator("#name")).to_have_value("山田 太郎")
        expect(button).to_be_enabled()
    finally:
        database.executescript("DROP TRIGGER IF EXISTS fault_INSERT; DROP TRIGGER IF EXISTS fault_UPDATE;")
        database.close()
    button.click()
    expect(page.locator("dl.summary")).to_be_visible()
