"""The language switch in chromium, with and without JavaScript: on the details step it keeps what
was typed (Enter in a field still continues, never switches); an inquiry sent in English after
agreeing in Japanese gets an English mail with no Japanese but the customer's own text, and its
consent stays recorded in Japanese."""
import re
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import expect

from browser.accessibility import assert_accessible
from madoguchi.japanese_text import JAPANESE

pytestmark = pytest.mark.browser

NAME, MESSAGE = "山田 太郎", "賞品がまだ届きません。\nWhere is my prize?"
EMAIL = "hanako.switch@example.jp"
# The switch's name as a screen reader says it: where it leads, and that the typed text stays.
TO_ENGLISH = re.compile(r"^English\s*\(this step in English; what you have typed is kept\)$")
TO_JAPANESE = re.compile(r"^日本語\s*（このステップを日本語で表示します。入力内容はそのまま残ります）$")


def stored_locales(site, reference):
    """(the inquiry's language, its consent event's language)."""
    with closing(sqlite3.connect(site.database_file)) as database:
        return database.execute("SELECT i.locale, e.locale FROM inquiry i JOIN consent_event e "
                                "ON e.seq = i.consent_seq WHERE i.reference = ?", (reference,)).fetchone()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_switching_language_on_the_details_step_keeps_typed_text(site, open_page, screenshot, javascript):
    page = open_page("ja", device="phone", javascript=javascript)
    page.goto(site.url("/contact/form"))
    page.locator("#agree").check()
    page.get_by_role("button", name="同意して進む").click()
    expect(page.locator("#name")).to_be_visible()
    page.locator("#name").fill(NAME)
    page.locator("#message").fill(MESSAGE)

    page.locator("#name").press("Enter")     # Enter continues (and is refused: no address yet)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    switch = page.get_by_role("button", name=TO_ENGLISH)
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your question")
    expect(page.locator("#name")).to_have_value(NAME)
    expect(page.locator("#message")).to_have_value(MESSAGE)
    expect(page.locator("#error-summary")).to_have_count(0)     # saved as typed, not checked
    expect(page.get_by_role("button", name=TO_JAPANESE)).to_be_visible()
    if javascript:      # axe is a script: it cannot run where scripts are off
        assert_accessible(page)
    screenshot(page, f"language-switched-details-{'js' if javascript else 'no-js'}")


def test_sent_in_english_after_agreeing_in_japanese_the_mail_is_english(site, inbox, open_page):
    page = open_page("ja")
    page.goto(site.url("/contact/form"))
    page.locator("#agree").check()
    page.get_by_role("button", name="同意して進む").click()
    expect(page.locator("#name")).to_be_visible()
    page.locator("#name").fill(NAME)
    page.get_by_role("button", name=TO_ENGLISH).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#name")).to_have_value(NAME)
    page.locator("#email").fill(EMAIL)
    page.locator("#email_confirm").fill(EMAIL)
    page.locator("#category").select_option("disclosure")
    page.locator("#message").fill(MESSAGE)
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.locator("dl.summary")).to_contain_text(NAME)
    page.get_by_role("button", name="Send", exact=True).click()
    reference = page.locator("#reference").inner_text().strip()

    assert stored_locales(site, reference) == ("en", "ja")
    mail = inbox.wait_for(reference)
    body = mail.get_body(("plain",)).get_content()
    assert "We have received your inquiry" in mail["subject"] and "LEGS Co., Ltd." in body
    assert mail["from"].addresses[0].display_name == "AnyMyKuji Customer Center"
    everything = mail["subject"] + str(mail["from"]) + body
    for own_text in (NAME, *MESSAGE.splitlines()):
        everything = everything.replace(own_text, "")
    assert JAPANESE.findall(everything) == [], everything
