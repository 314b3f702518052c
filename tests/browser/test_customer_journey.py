"""A customer walks the contact form in chromium, in Japanese and in English, with and without
JavaScript: inline email advice while typing, one-click fixes, confirm, back, send, the done page,
and the acknowledgement mail at a real SMTP server."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"AMK-\d{8}-[2-9A-HJ-NP-Z]{4}")
# What the customer sees and types, per language.
WORDS = {
    "ja": {"agree": "同意して進む", "continue": "次へ進む", "send": "送信する", "case_2": "ケース2",
           "name": "山田 太郎", "message": "当選した賞品がまだ届きません。発送状況を教えてください。",
           "receipt": "同意の記録", "receipt_id": "レシートID", "version": "第1版"},
    "en": {"agree": "Agree and continue", "continue": "Continue", "send": "Send", "case_2": "Case 2",
           "name": "Taro Yamada", "message": "My prize has not arrived yet. Could you tell me where it is?",
           "receipt": "Receipt of your consent", "receipt_id": "Receipt ID", "version": "version 1"},
}
DOCOMO_STEPS = "迷惑メールおまかせ規制"  # the setting's name on docomo's own pages, in both languages


def start_form(page, site, lang):
    """Open the form, agree to the privacy policy and arrive at the details step."""
    page.goto(site.url("/contact/form"))
    page.locator("#agree").check()
    page.get_by_role("button", name=WORDS[lang]["agree"]).click()
    expect(page.locator("#email")).to_be_visible()


def type_email(page, address):
    """Type into the email field key by key, as a person does, without leaving it."""
    field = page.locator("#email")
    field.fill("")
    field.press_sequentially(address, delay=25)


def fill_the_rest(page, lang, email):
    page.locator("#name").fill(WORDS[lang]["name"])
    page.locator("#email_confirm").fill(email)
    page.locator("#category").select_option("prizes")
    page.locator("#message").fill(WORDS[lang]["message"])


def continue_with_email(page, lang, address):
    """Without JavaScript: put `address` in both email fields and press Continue."""
    page.locator("#email").fill(address)
    page.locator("#email_confirm").fill(address)
    page.get_by_role("button", name=WORDS[lang]["continue"], exact=True).click()


def continue_to_confirm(page, lang):
    page.get_by_role("button", name=WORDS[lang]["continue"], exact=True).click()
    expect(page.locator("dl.summary")).to_be_visible()


def send_and_read_reference(page, lang):
    page.get_by_role("button", name=WORDS[lang]["send"], exact=True).click()
    reference = page.locator("#reference")
    expect(reference).to_have_text(REFERENCE)
    return reference.inner_text().strip()


def assert_acknowledged(inbox, reference, lang):
    mail = inbox.wait_for(reference)
    body = mail.get_body(("plain",)).get_content()
    assert reference in mail["subject"] and reference in body
    assert WORDS[lang]["receipt"] in body and WORDS[lang]["receipt_id"] in body
    assert WORDS[lang]["version"] in body
    assert WORDS[lang]["message"] in body


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_walk_with_javascript(site, inbox, open_page, lang):
    page = open_page(lang)
    start_form(page, site, lang)
    advice = page.locator("#email-advice")
    expect(page.locator("#email-advice-status")).to_have_attribute("role", "status")  # the box is no live region

    type_email(page, "ta..ro@docomo.ne.jp")
    expect(advice).to_contain_text(WORDS[lang]["case_2"])
    expect(advice).to_contain_text(DOCOMO_STEPS)
    assert page.evaluate("document.activeElement.id") == "email"  # shown before leaving the field

    type_email(page, "taro@gmial.com")
    advice.locator('button[name="apply_fix"][value="taro@gmail.com"]').click()
    expect(page.locator("#email")).to_have_value("taro@gmail.com")
    expect(page.locator("#email")).to_be_focused()      # the corrected field, ready to check

    type_email(page, "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
    advice.locator('button[name="apply_fix"][value="taro@example.jp"]').click()
    expect(page.locator("#email")).to_have_value("taro@example.jp")
    expect(page.locator("#email")).to_be_focused()

    fill_the_rest(page, lang, "taro@example.jp")
    counter = page.locator("#message-count")
    expect(counter).to_contain_text(f'{2000 - len(WORDS[lang]["message"]):,}')
    page.locator("#message").press_sequentially("!!!", delay=10)
    expect(counter).to_contain_text(f'{2000 - len(WORDS[lang]["message"]) - 3:,}')

    continue_to_confirm(page, lang)
    summary = page.locator("dl.summary")
    for answer in (WORDS[lang]["name"], "taro@example.jp", WORDS[lang]["message"] + "!!!"):
        expect(summary).to_contain_text(answer)

    page.go_back()
    expect(page.locator("#name")).to_have_value(WORDS[lang]["name"])
    expect(page.locator("#email")).to_have_value("taro@example.jp")
    expect(page.locator("#message")).to_have_value(WORDS[lang]["message"] + "!!!")

    continue_to_confirm(page, lang)
    reference = send_and_read_reference(page, lang)
    assert_acknowledged(inbox, reference, lang)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_walk_without_javascript(site, inbox, open_page, lang):
    page = open_page(lang, javascript=False)
    start_form(page, site, lang)

    page.locator("#email").fill("ta..ro@docomo.ne.jp")
    expect(page.locator("#email-advice")).to_be_empty()  # nothing inline without JavaScript
    fill_the_rest(page, lang, "ta..ro@docomo.ne.jp")
    continue_with_email(page, lang, "ta..ro@docomo.ne.jp")
    expect(page.locator('#error-summary a[href="#email"]')).to_be_visible()   # short; the long text is below
    expect(page.locator("#email-advice")).to_contain_text(WORDS[lang]["case_2"])
    expect(page.locator("#email-advice")).to_contain_text(DOCOMO_STEPS)
    expect(page.locator("#name")).to_have_value(WORDS[lang]["name"])
    expect(page.locator("#email")).to_have_value("ta..ro@docomo.ne.jp")
    expect(page.locator("#message")).to_have_value(WORDS[lang]["message"])

    continue_with_email(page, lang, "taro@gmial.com")
    page.locator('button[name="apply_fix"][value="taro@gmail.com"]').click()
    expect(page.locator("#email")).to_have_value("taro@gmail.com")
    expect(page.locator("#email_confirm")).to_have_value("taro@gmail.com")

    continue_with_email(page, lang, "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
    page.locator('button[name="apply_fix"][value="taro@example.jp"]').click()
    expect(page.locator("#email")).to_have_value("taro@example.jp")
    expect(page.locator("#email_confirm")).to_have_value("taro@example.jp")
    expect(page.locator("#name")).to_have_value(WORDS[lang]["name"])

    continue_to_confirm(page, lang)
    expect(page.locator("dl.summary")).to_contain_text("taro@example.jp")
    reference = send_and_read_reference(page, lang)
    assert_acknowledged(inbox, reference, lang)


SCREENS = [("ja", "phone"), ("ja", "desktop"), ("en", "phone"), ("en", "desktop")]


@pytest.mark.parametrize("lang,device", SCREENS)
def test_screenshots(site, inbox, open_page, screenshot, lang, device):
    page = open_page(lang, device)
    page.goto(site.url("/contact"))
    screenshot(page, f"contact-{lang}-{device}")

    start_form(page, site, lang)
    type_email(page, "taro@docomo.ne.jp")
    expect(page.locator("#email-advice")).to_contain_text(DOCOMO_STEPS)
    screenshot(page, f"form-warning-{lang}-{device}")
    type_email(page, "ta..ro@docomo.ne.jp")
    expect(page.locator("#email-advice")).to_contain_text(WORDS[lang]["case_2"])
    screenshot(page, f"form-error-{lang}-{device}")

    type_email(page, "taro@docomo.ne.jp")
    fill_the_rest(page, lang, "taro@docomo.ne.jp")
    continue_to_confirm(page, lang)
    screenshot(page, f"confirm-{lang}-{device}")
    send_and_read_reference(page, lang)
    screenshot(page, f"done-{lang}-{device}")
