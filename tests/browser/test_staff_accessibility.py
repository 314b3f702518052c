"""Staff pages by keyboard, on a phone and to axe (issue 10): every staff page has no axe
violation and no sideways scroll at 320 px and on a desktop, in ja and en; the inquiry status
changes only by its button, forward and back; focus lands somewhere sensible after each htmx swap
(never <body>); a table's scrolling box is reached with Tab and scrolled with the arrow keys."""
import re
import sqlite3
import time
from contextlib import closing

import pytest
from playwright.sync_api import expect

from browser.accessibility import axe_violations
from browser.conftest import STAFF_PASSWORD, staff_email

pytestmark = pytest.mark.browser

HOME = {"admin": "/staff/admin/policies", "auditor": "/staff/audit/ledger", "support": "/staff/support/inbox"}


def query(site, sql, *args):
    with closing(sqlite3.connect(site.database_file)) as database:
        rows = database.execute(sql, args).fetchall()
        database.commit()
        return rows


@pytest.fixture(scope="module")
def busy_site(site, staff):
    """The staff fixture's site with enough rows to page through: 60 more inquiries (all new, so
    the inbox has a second page), their consents, and 60 entries in the staff actions log. And a
    policy draft, for the publish page."""
    site.flask("demo", "populate", "--inquiries", "60", "--seed", "3")
    query(site, "UPDATE inquiry SET status = 'new'")
    with closing(sqlite3.connect(site.database_file)) as database, database:
        database.executemany(
            "INSERT INTO staff_action (occurred_at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            [(f"2026-11-24 01:{n:02d}:00.000000", "support@anymykuji.com", "inquiry_status_changed",
              f"AMK-20261124-{n:04d}", "new -> in_progress") for n in range(60)])
    return site


@pytest.fixture(scope="module")
def draft_id(busy_site, chromium):
    """A draft made on the admin's form, as an admin would."""
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, busy_site, "admin")
    page.goto(busy_site.url("/staff/admin/policies/new"))
    page.locator("#label").fill("3")
    page.locator("#effective_at").fill("2099-01-01T00:00")
    for summary in page.locator("textarea[id^=change_summary], input[id^=change_summary]").all():
        summary.fill("A clearer sentence about our purposes.")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/staff/admin/policies/\d+$"))
    context.close()
    return query(busy_site, "SELECT id FROM policy_version WHERE label = '3'")[0][0]


def sign_in(page, site, role):
    page.bring_to_front()      # each test may open several pages: the one in use has the focus
    page.goto(site.url("/staff/login"))
    page.locator("#email").fill(staff_email(role))
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(site.url(HOME[role]))


def check_page(page):
    """axe's violations and any sideways scroll of the page itself at 320 px, then on a desktop
    (the same page, resized), as one list of problems."""
    problems = []
    for width, height in ((320, 640), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        problems += [f"{width} px: {violation}" for violation in axe_violations(page)]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"the page scrolls sideways: {scroll_width} px wide at {width} px")
    return problems


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_staff_page_passes_axe_and_fits_the_screen(busy_site, draft_id, open_page, lang):
    site, problems = busy_site, {}
    reference = query(site, "SELECT reference FROM inquiry ORDER BY id LIMIT 1")[0][0]
    pages = {None: ["/staff/login"],
             "support": ["/staff/", "/staff/support/inbox", f"/staff/support/inquiries/{reference}"],
             "auditor": ["/staff/audit/ledger", "/staff/audit/actions"],
             "admin": ["/staff/admin/users", "/staff/admin/policies", "/staff/admin/policies/new",
                       f"/staff/admin/policies/{draft_id}", f"/staff/admin/policies/{draft_id}/diff",
                       f"/staff/admin/policies/{draft_id}/publish"]}
    for role, paths in pages.items():
        page = open_page(lang, "narrow")
        if role:
            sign_in(page, site, role)
        for path in paths:
            assert page.goto(site.url(path)).status == 200, path
            problems[path] = check_page(page)
        if role == "auditor":     # the verify page, as without JavaScript (a plain POST)
            page.goto(site.url("/staff/audit/ledger"))
            page.evaluate("document.querySelector('#verify-title').parentElement.querySelector('form').submit()")
            expect(page.locator(".verify-ok")).to_be_visible()
            problems["/staff/audit/verify"] = check_page(page)
    assert not {path: found for path, found in problems.items() if found}


def tab_to(page, selector, presses=60):
    """Press Tab until `selector` has focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} was not reached with Tab")


def focused(page):
    return page.evaluate("document.activeElement === document.body ? 'body' : "
                         "(document.activeElement.id || document.activeElement.className)")


def status_of(site, reference):
    return query(site, "SELECT status FROM inquiry WHERE reference = ?", reference)[0][0]


@pytest.mark.parametrize("javascript", [True, False])
def test_status_changes_by_keyboard_only_with_its_button_forward_and_back(busy_site, open_page, javascript):
    site = busy_site
    reference = query(site, "SELECT reference FROM inquiry ORDER BY id DESC LIMIT 1 OFFSET ?", int(javascript))[0][0]
    page = open_page("en", "narrow", javascript=javascript)
    sign_in(page, site, "support")
    page.goto(site.url(f"/staff/support/inquiries/{reference}"))
    select = f"#status-{reference}"

    tab_to(page, select)
    for key in ("ArrowDown", "ArrowDown", "ArrowUp"):   # choosing saves nothing
        page.keyboard.press(key)
    time.sleep(0.5)
    assert page.locator(select).input_value() == "answered" and status_of(site, reference) == "new"

    page.keyboard.press("ArrowUp")                        # in progress
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="The status is now: In progress")).to_be_visible()
    assert status_of(site, reference) == "in_progress"
    if javascript:        # the message, read out, where the form was
        expect(page.locator(f"#status-form-{reference} .status-message")).to_be_focused()

    tab_to(page, select)
    page.keyboard.press("End")                            # "Back to New", the last choice
    assert page.locator(select).input_value() == "new"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="The status is now: New")).to_be_visible()
    assert status_of(site, reference) == "new"
    assert query(site, "SELECT detail FROM staff_action WHERE target = ? ORDER BY id", reference) == [
        ("new -> in_progress",), ("in_progress -> new",)]


def test_a_stale_status_form_is_refused_in_place(busy_site, open_page):
    site = busy_site
    reference = query(site, "SELECT reference FROM inquiry ORDER BY id DESC LIMIT 1 OFFSET 2")[0][0]
    page = open_page("ja", "desktop")
    sign_in(page, site, "support")
    page.goto(site.url(f"/staff/support/inquiries/{reference}"))
    query(site, "UPDATE inquiry SET status = 'answered' WHERE reference = ?", reference)   # someone else
    page.locator(f"#status-{reference}").select_option("closed")
    page.get_by_role("button", name=re.compile("状態を変更する")).click()
    expect(page.get_by_role("alert")).to_contain_text("別の担当者が状態を変更")
    expect(page.locator(f"#status-form-{reference} .error-message")).to_be_focused()
    assert status_of(site, reference) == "answered"
    expect(page.locator(f"#status-form-{reference}")).to_contain_text("現在: 回答済み")


def test_focus_after_tabs_paging_and_verify_is_never_the_body(busy_site, open_page):
    site = busy_site
    support = open_page("en", "narrow")
    sign_in(support, site, "support")
    announcer = support.locator("#staff-announcer")
    support.locator("#inbox-tab-in_progress").focus()
    support.keyboard.press("Enter")
    expect(support.locator("#inbox-tab-in_progress")).to_have_attribute("aria-current", "page")
    assert focused(support) == "inbox-tab-in_progress"     # the tab chosen, still under the finger
    expect(announcer).to_have_text(re.compile(r"^In progress: \d+ inquiries; \d+ on this page\.$"))

    support.locator("#inbox-tab-new").focus()
    support.keyboard.press("Enter")
    expect(support.locator("#inbox-tab-new")).to_have_attribute("aria-current", "page")
    # Read out once the swap has settled, when focus has been put back: only then move on (a
    # keyboard user is never this quick; the test otherwise races the settling).
    expect(announcer).to_have_text(re.compile(r"^New: \d+ inquiries; \d+ on this page\.$"))
    support.get_by_role("link", name="More inquiries").focus()
    support.keyboard.press("Enter")
    expect(support).to_have_url(re.compile(r"cursor=\d+"))
    expect(support.locator("#inbox-results-title")).to_be_focused()
    expect(announcer).to_have_text(re.compile(r"^New: \d+ inquiries; \d+ on this page\.$"))

    auditor = open_page("en", "narrow")
    sign_in(auditor, site, "auditor")
    auditor.get_by_role("link", name="Older events").focus()
    auditor.keyboard.press("Enter")
    expect(auditor).to_have_url(re.compile(r"before=\d+"))
    expect(auditor.locator("#ledger-events-title")).to_be_focused()
    expect(auditor.locator("#staff-announcer")).to_contain_text("events match these filters.")

    auditor.get_by_role("button", name="Verify now").focus()
    auditor.keyboard.press("Enter")
    expect(auditor.locator("#verify-result .verify-ok")).to_be_visible()
    expect(auditor.get_by_role("button", name="Verify now")).to_be_focused()

    auditor.goto(site.url("/staff/audit/actions"))
    auditor.get_by_role("link", name="Older entries").focus()
    auditor.keyboard.press("Enter")
    expect(auditor).to_have_url(re.compile(r"before=\d+"))
    expect(auditor.locator("#actions-results-title")).to_be_focused()
    expect(auditor.locator("#staff-announcer")).to_have_text(re.compile(r"^\d+ entries on this page\.$"))

    auditor.locator("#action").focus()                     # a filter: focus stays on it
    auditor.keyboard.press("ArrowDown")
    expect(auditor.locator("#actions-results-title")).to_contain_text(":")
    assert focused(auditor) == "action"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_log_table_is_reached_by_tab_and_scrolled_by_arrow_keys(busy_site, open_page, javascript):
    page = open_page("ja", "narrow", javascript=javascript)
    sign_in(page, busy_site, "auditor")
    page.goto(busy_site.url("/staff/audit/actions"))
    tab_to(page, ".table-scroll")
    region = page.locator(".table-scroll")
    assert region.get_attribute("role") == "region"
    expect(region).to_have_accessible_name("記録")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function's polling evaluates a string in the page, which the
    # site's Content-Security-Policy (no unsafe-eval) rightly refuses.
    for _ in range(50):
        if page.evaluate("document.activeElement.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.activeElement.scrollLeft") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
