"""What changed in a policy revision, in chromium: a customer reading version 1 when version 2 is
published is shown, on agreeing, the revision's summary and only the sections that differ (added
and removed words marked), in Japanese with JavaScript on a phone and in English without it at
320 px; the public what-changed page the banner leads to. axe finds nothing on either, and nothing
scrolls sideways at 320 px. The screenshot tests/screenshots/policy-changes-consent-ja-phone.png is
the issue's "what changed" step (…-detail.png: only its what-changed part)."""
import time

import pytest
from playwright.sync_api import expect

from browser.accessibility import assert_accessible
from browser.conftest import POLICY_CACHE_SECONDS, SCREENSHOTS
from madoguchi.policy.store.versions import TEXTS

pytestmark = pytest.mark.browser

REVISIONS = {"ja": ("5. お問い合わせ対応のため", "5. お客様からのお問い合わせへの対応のため"),
             "en": ("5. To respond to inquiries", "5. To respond to inquiries and complaints")}
SUMMARIES = {"ja": "利用目的5を、お客様からのお問い合わせへの対応と明記しました。",
             "en": "Purpose 5 now says it covers inquiries and complaints from customers."}
AGREE = {"ja": "同意して進む", "en": "Agree and continue"}


def publish_version_2(site, folder):
    """Version 2 by `flask policy publish`, as an operator would; both workers show it once their
    copy of the published versions is renewed (POLICY_CACHE_SECONDS)."""
    files = []
    for language, (old, new) in REVISIONS.items():
        text = (TEXTS / f"v1.{language}.md").read_text(encoding="utf-8")
        assert old in text
        (folder / f"v2.{language}.md").write_text(text.replace(old, new), encoding="utf-8")
        files += [f"--{language}", str(folder / f"v2.{language}.md")]
    site.flask("policy", "publish", "--label", "2", *files, "--significant",
               "--summary-ja", SUMMARIES["ja"], "--summary-en", SUMMARIES["en"])
    time.sleep(POLICY_CACHE_SECONDS + 0.3)


def assert_accessible_as_served(page, open_page, lang):
    """axe needs JavaScript (it never finishes in a page without it): a page served without it is
    checked as the same HTML, with the same stylesheet, in a page of the same site that runs it."""
    if page.evaluate("typeof htmx !== 'undefined'"):
        return assert_accessible(page)
    checker = open_page(lang, device="narrow")
    checker.goto(page.url.split("/contact")[0] + "/contact")
    checker.set_content(page.content())
    assert_accessible(checker)


def assert_no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def readers_of_version_1(site, chromium):
    """Customers with step 1 open on version 1 before version 2 is published: (lang, device,
    javascript) → page."""
    from browser.conftest import DEVICES, LOCALES
    contexts, pages = [], {}
    for lang, device, javascript in (("ja", "phone", True), ("en", "narrow", False)):
        context = chromium.new_context(locale=LOCALES[lang], java_script_enabled=javascript, **DEVICES[device])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = pages[lang] = context.new_page()
        page.goto(site.url("/contact/form"))
        expect(page.locator("#agree")).to_be_visible()
    yield pages
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def version_2(site, readers_of_version_1, tmp_path_factory):
    publish_version_2(site, tmp_path_factory.mktemp("policy"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_agreeing_after_a_revision_shows_the_summary_and_what_changed(readers_of_version_1, version_2,
                                                                      open_page, screenshot, lang):
    page = readers_of_version_1[lang]
    page.locator("#agree").check()
    page.get_by_role("button", name=AGREE[lang]).click()
    changes = page.locator(".policy-changes")
    expect(changes).to_be_visible()
    expect(changes).to_contain_text(SUMMARIES[lang])
    expect(changes.locator("h3")).to_have_count(1)                  # only the changed section
    added = changes.locator("ins").first
    expect(added).to_contain_text("お客様からの" if lang == "ja" else "and complaints")
    expect(added.locator(".visually-hidden")).to_have_text("追加：" if lang == "ja" else "Added:")
    expect(page.locator("#agree")).not_to_be_checked()
    assert page.locator(".policy-changes").evaluate(
        "(changes) => changes.compareDocumentPosition(document.getElementById('policy-heading'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING")                       # before the full text
    assert_accessible_as_served(page, open_page, lang)
    assert_no_sideways_scroll(page)
    if lang == "ja":
        screenshot(page, "policy-changes-consent-ja-phone")
        changes.screenshot(path=SCREENSHOTS / "policy-changes-consent-ja-phone-detail.png")
        page.set_viewport_size({"width": 320, "height": 640})     # and on the smallest phones
        assert_accessible(page)
        assert_no_sideways_scroll(page)
    page.locator("#agree").check()
    page.get_by_role("button", name=AGREE[lang]).click()
    expect(page.locator("#name")).to_be_visible()                   # agreed to version 2: on to step 2


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_banner_leads_to_the_what_changed_page(site, version_2, open_page, screenshot, lang):
    page = open_page(lang, device="narrow")
    page.goto(site.url("/contact"))
    notice = page.locator(".policy-notice")
    expect(notice).to_contain_text(SUMMARIES[lang])
    notice.get_by_role("link").click()
    expect(page).to_have_url(site.url("/privacy/2/changes"))
    expect(page.locator(".policy-changes ins").first).to_be_visible()
    expect(page.locator(".policy-changes")).to_contain_text(SUMMARIES[lang])
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, f"policy-changes-page-{lang}-narrow")
