"""The email advice in chromium, as a customer types at phone speed and as a keyboard user tabs on
(issue 10): never an error or a fix on the way to a good address, the status line speaks once per
new verdict, Tab reaches the fix button and the FAQ link, the fix lands back in the field, and
without JavaScript a likely typo stops the form once, as an error the summary links to."""
import pytest
from playwright.sync_api import expect

from browser.accessibility import assert_accessible
from browser.test_customer_journey import WORDS, start_form

pytestmark = pytest.mark.browser

DEBOUNCE_MS = 400           # hx-trigger "input changed delay:400ms" on the email field
STATUS = {"ja": {"free": "フリーメールのアドレスです。返信が迷惑メールフォルダに入る場合がございます",
                 "carrier": "携帯電話会社のアドレスです。迷惑メール設定で当社からのメールを受信できるようにしてください",
                 "error": "エラー: ", "typo": "メールアドレスをご確認ください。taro@gmail.com ではありませんか",
                 "fix_button": "taro@gmail.com に修正する", "faq": "よくあるご質問で詳しく見る"},
          "en": {"free": "Free mail address: our reply may go to your spam folder",
                 "carrier": "Mobile carrier address: please allow our mail in its spam filter settings",
                 "error": "Error: ", "typo": "Check your email address. Did you mean taro@gmail.com?",
                 "fix_button": "Change to taro@gmail.com", "faq": "More in the FAQ"}}

# Every state of the advice box and the status line, collected in the page as they change.
RECORD_STATES = """() => {
  window.adviceStates = [];
  const box = document.getElementById("email-advice"), status = document.getElementById("email-advice-status");
  const record = () => {
    const verdict = box.querySelector("[data-verdict]");
    window.adviceStates.push({
      verdict: verdict ? verdict.dataset.verdict : "", status: status.textContent,
      codes: [...box.querySelectorAll("[data-code]")].map(m => m.dataset.code),
      errors: box.querySelectorAll(".message-error").length, fix: !!box.querySelector('[name="apply_fix"]')});
  };
  const observer = new MutationObserver(record);
  for (const node of [box, status]) observer.observe(node, {childList: true, subtree: true, characterData: true});
}"""


def type_like_a_phone(page, address, pause_at_dots):
    """Key by key at 60–120 ms a key; with pause_at_dots, a pause longer than the debounce
    before and after each "." and "@" (the customer looks at what they typed)."""
    page.locator("#email").click()
    for index, key in enumerate(address):
        if pause_at_dots and key in ".@":
            page.wait_for_timeout(DEBOUNCE_MS + 150)
        page.keyboard.type(key, delay=0)
        page.wait_for_timeout(60 + (index * 37) % 61)
        if pause_at_dots and key in ".@":
            page.wait_for_timeout(DEBOUNCE_MS + 150)


def spoken(states, before_typing):
    """The status line's texts, each time it changed."""
    said = [state["status"] for state in states]
    return [text for before, text in zip([before_typing] + said, said) if text != before]


def verdict_changes(states):
    verdicts = [state["verdict"] for state in states if state["verdict"]]
    return sum(1 for before, after in zip([""] + verdicts, verdicts) if after != before)


TYPED = [("taro@yahoo.co.jp", "free", False), ("taro@docomo.ne.jp", "carrier", True), ("taro@yahoo.co.jp", "free", True)]


@pytest.mark.parametrize("lang, device, typed", [("ja", "phone", TYPED), ("en", "desktop", TYPED[:2])])
def test_typing_a_good_address_never_shows_an_error_or_a_fix_and_speaks_once(site, open_page, lang, device, typed):
    page = open_page(lang, device)
    start_form(page, site, lang)
    page.evaluate(RECORD_STATES)
    box = page.locator("#email-advice")
    for address, provider, pauses in typed:
        page.locator("#email").fill("")
        page.evaluate("window.adviceStates = []")
        before_typing = page.locator("#email-advice-status").text_content()
        type_like_a_phone(page, address, pause_at_dots=pauses)
        expect(box.locator(f'[data-code="{"free_mail" if provider == "free" else "carrier_docomo"}"]')).to_be_visible()
        expect(page.locator("#email-advice-status")).to_have_text(STATUS[lang][provider])
        states = page.evaluate("window.adviceStates")
        assert not any(state["errors"] or state["fix"] for state in states), states
        said = spoken(states, before_typing)
        assert len(said) <= verdict_changes(states) and len(said) <= 1, states


@pytest.mark.parametrize("lang, device", [("ja", "phone"), ("en", "desktop")])
def test_tab_from_the_field_reaches_the_fix_and_the_faq_link_and_the_fix_lands_in_the_field(site, open_page, lang, device):
    page = open_page(lang, device)
    start_form(page, site, lang)
    page.locator("#email_confirm").fill("taro@gmial.com")
    page.locator("#email").click()
    page.keyboard.type("taro@gmial.com", delay=70)
    fix = page.locator('#email-advice button[name="apply_fix"]')
    expect(fix).to_have_text(STATUS[lang]["fix_button"])
    expect(page.locator("#email-advice-status")).to_have_text(STATUS[lang]["typo"])
    page.evaluate(RECORD_STATES)

    page.keyboard.press("Tab")                      # leaving the field asks for the final verdict…
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(DEBOUNCE_MS + 200)
    assert page.evaluate("window.adviceStates") == []          # …which is the same: nothing redrawn
    assert page.evaluate("document.activeElement.name") == "apply_fix"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == STATUS[lang]["faq"]

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")                    # the fix, by keyboard
    expect(page.locator("#email")).to_have_value("taro@gmail.com")
    expect(page.locator("#email_confirm")).to_have_value("taro@gmail.com")
    expect(page.locator("#email")).to_be_focused()
    # The customer goes on at once: nothing takes focus back to the email field afterwards (htmx
    # would, when it settles, for a field still marked autofocus).
    page.locator("#name").focus()
    page.keyboard.type("山田", delay=5)
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.id") == "name"
    expect(page.locator("#email")).to_have_value("taro@gmail.com")
    assert_accessible(page)


@pytest.mark.parametrize("lang, device", [("ja", "narrow"), ("en", "desktop")])
def test_without_javascript_a_likely_typo_stops_the_form_once(site, open_page, screenshot, lang, device):
    page = open_page(lang, device, javascript=False)
    start_form(page, site, lang)
    long_typo = "taro.yamada.from.the.lottery.club@gmial.com"
    page.locator("#name").fill(WORDS[lang]["name"])
    page.locator("#category").select_option("prizes")
    page.locator("#message").fill(WORDS[lang]["message"])
    for field in ("#email", "#email_confirm"):
        page.locator(field).fill(long_typo)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name=WORDS[lang]["continue"], exact=True).click()
    assert answer.value.status == 422
    assert page.title().startswith(STATUS[lang]["error"])
    link = page.locator('#error-summary a[href="#email"]')
    expect(link).to_have_text(STATUS[lang]["typo"].replace("taro@", "taro.yamada.from.the.lottery.club@"))
    fix = page.locator('button[name="apply_fix"]')
    box = fix.bounding_box()        # (no script runs in this page: the layout is measured from outside)
    assert box["x"] + box["width"] <= page.viewport_size["width"]     # wrapped, not overflowing
    screenshot(page, f"email-typo-nojs-{lang}-{device}")

    fix.click()                                     # the fixed page lands on the field
    expect(page.locator("#email")).to_have_value("taro.yamada.from.the.lottery.club@gmail.com")
    expect(page.locator("#email")).to_be_focused()

    for field in ("#email", "#email_confirm"):
        page.locator(field).fill(long_typo)
    page.get_by_role("button", name=WORDS[lang]["continue"], exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.get_by_role("button", name=WORDS[lang]["continue"], exact=True).click()   # sent again: a warning only
    expect(page.locator("dl.summary")).to_contain_text(long_typo)
