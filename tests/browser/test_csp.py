"""No page breaks its own Content-Security-Policy (views/headers.py): chromium with JavaScript on
visits every public page and every staff page of each role, doing the htmx interactions (advice
while typing, the form's steps, filters, verify, a status change), and reports no violation.

Violations are caught twice: the `securitypolicyviolation` event, collected by a script injected
before any page script runs (the browser's own injection, which the policy does not govern), and
console errors that name the Content Security Policy."""
import re

import pytest
from playwright.sync_api import expect

from browser.conftest import STAFF_PASSWORD, staff_email

pytestmark = pytest.mark.browser

HOME = {"admin": "/staff/admin/policies", "auditor": "/staff/audit/ledger", "support": "/staff/support/inbox"}
PUBLIC = ["/contact", "/faq", "/privacy", "/privacy/1", "/staff/login", "/no-such-page"]
COLLECT = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportViolation([event.violatedDirective, event.blockedURI, event.sourceFile,
                          event.lineNumber, location.pathname].join(" "));
});
"""


@pytest.fixture
def watched(open_page):
    """watched(lang) → (page, violations): every violation any document of the page reports."""
    def open_(lang="en"):
        page, violations = open_page(lang), []
        page.context.expose_function("reportViolation", lambda text: violations.append(text))
        page.add_init_script(COLLECT)
        page.on("console", lambda message: violations.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text else None)
        return page, violations
    return open_


def visit(page, site, path):
    page.goto(site.url(path))
    page.wait_for_load_state("networkidle")


def sign_in(page, site, role):
    visit(page, site, "/staff/login")
    page.locator("#email").fill(staff_email(role))
    page.locator("#password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(site.url(HOME[role]))


def test_the_watch_itself_sees_a_violation(site, watched):
    page, violations = watched()
    visit(page, site, "/contact")
    page.evaluate("document.body.setAttribute('style', 'color: red')")   # an inline style: refused
    page.wait_for_timeout(200)
    assert any("style-src" in violation for violation in violations), violations


def test_public_pages_and_the_whole_form_report_no_violation(site, watched):
    page, violations = watched("ja")
    for path in PUBLIC:
        visit(page, site, path)
    visit(page, site, "/contact/form")
    page.locator("#agree").check()
    page.get_by_role("button", name="同意して進む").click()
    expect(page.locator("#email")).to_be_visible()
    page.locator("#email").press_sequentially("taro@gmial.com", delay=20)      # inline advice (htmx)
    page.locator('#email-advice button[name="apply_fix"]').first.click()      # a one-click fix
    expect(page.locator("#email")).to_have_value("taro@gmail.com")
    expect(page.locator("#email")).to_be_focused()        # the swap has settled
    page.locator("#name").fill("山田 太郎")
    page.locator("#email_confirm").fill("taro@gmail.com")
    page.locator("#category").select_option("disclosure")                    # the category help (htmx)
    page.locator("#message").fill("登録情報の開示をお願いします。")
    page.get_by_role("button", name="次へ進む", exact=True).click()
    expect(page.locator("dl.summary")).to_be_visible()
    page.get_by_role("button", name="送信する", exact=True).click()
    expect(page.locator("#reference")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_admin_pages_report_no_violation(site, staff, watched):
    page, violations = watched()
    sign_in(page, site, "admin")
    for path in ("/staff/admin/policies", "/staff/admin/policies/new", "/staff/admin/policies/1",
                 "/staff/admin/policies/1/diff", "/staff/admin/policies/1?locale=en", "/staff/admin/users"):
        visit(page, site, path)
    assert violations == []


def test_auditor_pages_and_their_htmx_report_no_violation(site, staff, watched):
    page, violations = watched()
    sign_in(page, site, "auditor")
    page.locator("#kind").select_option("granted")                           # filter (htmx)
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"kind=granted"))                  # pushed by htmx
    page.get_by_role("button", name="Verify now").click()                    # verify (htmx)
    expect(page.locator("#verify-result")).not_to_be_empty()
    visit(page, site, "/staff/audit/actions")
    page.locator("#action").select_option(index=1)                           # filter (htmx)
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_support_pages_and_their_htmx_report_no_violation(site, staff, watched):
    page, violations = watched()
    sign_in(page, site, "support")
    page.locator("#category").select_option("payment")                       # filter (htmx)
    page.wait_for_load_state("networkidle")
    visit(page, site, "/staff/support/inbox")
    page.locator("table.inbox tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator(".status-form select").select_option("in_progress")
    page.locator(".status-form button").click()                              # status (htmx)
    expect(page.locator(".status-message")).to_be_visible()
    assert violations == []
