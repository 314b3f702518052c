"""Staff in chromium: each role signs in and does its job, and only its job; an admin publishes
version 2 of the privacy policy while customers are in the middle of the form."""
import re
import sqlite3
import subprocess
import sys
import time
import zipfile
from contextlib import closing

import pytest
from playwright.sync_api import expect

from browser.conftest import POLICY_CACHE_SECONDS, REPO, STAFF_PASSWORD, staff_email

pytestmark = pytest.mark.browser

# Where each role lands after signing in, and the pages only that role (or an admin) may open.
HOME = {"admin": "/staff/admin/policies", "auditor": "/staff/audit/ledger", "support": "/staff/support/inbox"}
PAGES = {"admin": ["/staff/admin/policies", "/staff/admin/policies/new"],
         "auditor": ["/staff/audit/ledger", "/staff/audit/actions"],
         "support": ["/staff/support/inbox"]}
V2_MARK = {"ja": "第2版で加えた一文です。", "en": "This sentence is new in version 2."}
CUSTOMER = {"name": "Hanako Suzuki", "email": "hanako@example.jp", "category": "payment",
            "message": "I paid by bank transfer but my tickets are not shown yet."}


def query(site, sql, *args):
    with closing(sqlite3.connect(site.database_file)) as database:
        return database.execute(sql, args).fetchall()


def sign_in(page, site, role):
    page.goto(site.url("/staff/login"))
    page.locator("#email").fill(staff_email(role))
    page.locator("#password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(site.url(HOME[role]))


@pytest.mark.parametrize("path", [path for pages in PAGES.values() for path in pages])
def test_anonymous_visitor_is_sent_to_the_login_page(site, staff, open_page, path):
    page = open_page("en")
    page.goto(site.url(path))
    expect(page).to_have_url(re.compile(re.escape(site.url("/staff/login")) + r"\?next="))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("role", ["admin", "auditor", "support"])
def test_each_role_is_refused_the_other_roles_pages(site, staff, open_page, role):
    page = open_page("en")
    sign_in(page, site, role)
    for other, paths in PAGES.items():
        for path in paths:
            answer = page.goto(site.url(path))
            assert answer.status == (200 if other == role else 403), path


def test_support_opens_an_inquiry_and_changes_its_status(site, staff, open_page):
    page = open_page("en")
    sign_in(page, site, "support")
    reference = page.locator("table.inbox tbody tr a").first.inner_text()
    page.locator("#reference").fill(reference)
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(reference)
    expect(page.locator("dl.summary").first).to_contain_text("Message")
    expect(page.get_by_text(re.compile(r"^Version 1$"))).to_be_visible()  # the linked consent event

    page.locator(f"#status-{reference}").select_option("in_progress")
    page.get_by_role("button", name=re.compile("^Change status")).click()
    expect(page.locator(".status-message")).to_contain_text("In progress")
    assert query(site, "SELECT status FROM inquiry WHERE reference = ?", reference) == [("in_progress",)]
    page.reload()
    expect(page.locator(f"#status-form-{reference}")).to_contain_text("Now: In progress")


def test_auditor_downloads_an_export_that_the_verifier_accepts(site, staff, open_page, tmp_path):
    page = open_page("en")
    sign_in(page, site, "auditor")
    expect(page.locator("main")).to_contain_text("Consent ledger")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(download)
    with zipfile.ZipFile(download) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    manifest = next(name for name in names if name.endswith(".manifest.json"))
    export = manifest.removesuffix(".manifest.json")
    assert sorted(names) == [export, manifest] and export.endswith(".csv")
    verifier = subprocess.run([sys.executable, str(REPO / "tools" / "verify_export.py"), export, manifest],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert verifier.returncode == 0 and verifier.stdout.startswith("OK"), verifier.stdout + verifier.stderr

    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verify-result")).not_to_be_empty()


def start_consent(page, site):
    page.goto(site.url("/contact/form"))
    expect(page.locator("#agree")).to_be_visible()


def agree(page):
    page.locator("#agree").check()
    page.get_by_role("button", name="Agree and continue").click()


def fill_details_and_confirm(page):
    for field in ("name", "email", "message"):
        page.locator(f"#{field}").fill(CUSTOMER[field])
    page.locator("#email_confirm").fill(CUSTOMER["email"])
    page.locator("#category").select_option(CUSTOMER["category"])
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.locator("dl.summary")).to_contain_text(CUSTOMER["message"])


def send(page):
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#reference")).to_be_visible()
    return page.locator("#reference").inner_text().strip()


def publish_version_2(page, site):
    sign_in(page, site, "admin")
    page.get_by_role("link", name="New draft").click()
    page.locator("#label").fill("2")
    page.locator("#effective_at").fill("2026-01-01T00:00")  # already past: takes effect on publishing
    page.locator("#change_summary").fill("Added a sentence to the purposes.")
    for lang in ("ja", "en"):
        text = page.locator(f"#text_{lang}")
        text.fill(text.input_value() + "\n\n" + V2_MARK[lang] + "\n")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.locator("main")).to_contain_text("Version 2 is published")
    # The worker that published knows at once; the other's copy of the versions is renewed
    # within POLICY_CACHE_SECONDS.
    time.sleep(POLICY_CACHE_SECONDS + 0.2)


def consent_of(site, reference):
    return query(site, "SELECT e.policy_version, e.policy_sha256, e.locale FROM consent_event e "
                       "JOIN inquiry i ON i.consent_seq = e.seq WHERE i.reference = ?", reference)[0]


def test_admin_publishes_version_2_while_customers_fill_the_form(site, staff, open_page):
    on_step_1 = open_page("en")             # has step 1 (version 1) open, not yet ticked
    start_consent(on_step_1, site)
    at_confirm = open_page("en", javascript=False)   # agreed to version 1, about to send
    start_consent(at_confirm, site)
    agree(at_confirm)
    fill_details_and_confirm(at_confirm)

    publish_version_2(open_page("en"), site)

    reader = open_page("en")
    reader.goto(site.url("/privacy"))
    expect(reader.locator("main")).to_contain_text("Version 2, in effect from")
    expect(reader.locator("main")).to_contain_text(V2_MARK["en"])
    reader.goto(site.url("/privacy/1"))
    expect(reader.locator("main")).to_contain_text("Version 1, in effect from")
    expect(reader.locator("main")).not_to_contain_text(V2_MARK["en"])

    agree(on_step_1)   # ticked the box shown for version 1: asked again, with version 2 shown
    expect(on_step_1.get_by_role("alert")).to_contain_text("revised (version 2)")
    expect(on_step_1.locator(".policy-box")).to_contain_text(V2_MARK["en"])
    agree(on_step_1)
    fill_details_and_confirm(on_step_1)
    first = send(on_step_1)

    at_confirm.get_by_role("button", name="Send", exact=True).click()
    expect(at_confirm.get_by_role("alert")).to_contain_text("revised (version 2)")
    expect(at_confirm.locator(".policy-box")).to_contain_text(V2_MARK["en"])
    agree(at_confirm)
    expect(at_confirm.locator("dl.summary")).to_contain_text(CUSTOMER["message"])  # nothing retyped
    second = send(at_confirm)

    sha256_en = query(site, "SELECT sha256_en FROM policy_version WHERE label = '2'")[0][0]
    assert consent_of(site, first) == ("2", sha256_en, "en")
    assert consent_of(site, second) == ("2", sha256_en, "en")
