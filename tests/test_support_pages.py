"""Support's inbox: who may see it, tabs, category filter, search by reference, the inquiry page with
its consent event, status changes (plain and htmx), the 開示等請求 checklist, erased inquiries."""
import re
from datetime import datetime

import pytest

from conftest import csrf_token, sign_in_staff
from madoguchi.ledger.store import consent_ledger
from madoguchi.policy import revisions
from madoguchi.policy.store import versions as policy_store
from models import Inquiry, InquiryNote, StaffAction, database

INBOX = "/staff/support/inbox"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def support(app, client):
    client.set_cookie("lang", "en")
    return sign_in_staff(app, client, "support")


@pytest.fixture
def store(app):
    """store(reference, **fields): an inquiry with its `granted` consent event, as the form stores it."""
    counter = iter(range(1, 10_000))

    def store_(reference=None, category="prizes", status="new", **fields):
        number = next(counter)
        reference = reference or f"AMK-20261124-{number:04d}"
        with app.app_context(), database.connection_context():
            version = policy_store.current_version()
            event = consent_ledger.append(
                kind="granted", subject_key=f"{number:064x}", policy_version=version.label,
                policy_sha256=revisions.sha256_for(version, "ja"), locale="ja",
                method="web_form_checkbox", inquiry_ref=reference, ledger_key="test-ledger-key",
                occurred_at=datetime(2026, 11, 24, 2, 30, number % 60))
            values = dict(reference=reference, locale="ja", category=category, name="山田 太郎",
                          email=f"taro{number}@example.jp", phone="090-1234-5678", order_number="A-10023",
                          message="賞品がまだ届きません。", subject_key=event.subject_key, consent_seq=event.seq,
                          created_at=datetime(2026, 11, 24, 2, 30), reply_due_at=datetime(2026, 11, 24, 3, 0),
                          status=status)
            values.update(fields)
            return Inquiry.create(**values).reference
    return store_


def row_of(app, reference):
    with app.app_context(), database.connection_context():
        return Inquiry.get(Inquiry.reference == reference)


def logged(app, action):
    with app.app_context(), database.connection_context():
        return [(a.actor, a.target, a.detail) for a in StaffAction.select().where(StaffAction.action == action)]


def references(page):
    return re.findall(r'/staff/support/inquiries/(AMK-[0-9A-Z-]+)"', page)


def post(client, path, data, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, INBOX), **data}, **kwargs)


def test_anonymous_visitor_is_sent_to_login_and_auditor_is_refused(app, client, store):
    reference = store()
    assert client.get(INBOX).headers["Location"].startswith("/staff/login?next=")
    sign_in_staff(app, client, "auditor")
    assert client.get(INBOX).status_code == 403
    assert client.get(f"/staff/support/inquiries/{reference}").status_code == 403
    assert client.post(f"/staff/support/inquiries/{reference}/status",
                       data={"csrf_token": csrf_token(client, "/staff/login"), "status": "closed"}).status_code == 403
    assert row_of(app, reference).status == "new"


def test_admins_and_auditors_get_403_on_the_inbox(app, client, store):
    store()
    sign_in_staff(app, client, "admin")
    assert client.get(INBOX).status_code == 403
    assert client.get("/staff/audit/ledger").status_code == 403


def test_tabs_show_each_status_with_counts_and_category_filter(client, support, store):
    new_prize, new_payment = store(category="prizes"), store(category="payment")
    closed = store(status="closed")
    page = client.get(INBOX).get_data(as_text=True)
    assert references(page) == [new_prize, new_payment]          # open inquiries: oldest first
    assert "New <span class=\"count\">(2)</span>" in page and "Closed <span class=\"count\">(1)</span>" in page
    assert references(client.get(INBOX, query_string={"status": "closed"}).get_data(as_text=True)) == [closed]
    payment = client.get(INBOX, query_string={"category": "payment"}).get_data(as_text=True)
    assert references(payment) == [new_payment]


def test_search_by_reference_is_exact_case_insensitive_and_full_width_tolerant(client, support, store):
    reference = store("AMK-20261124-7KQ3", status="answered")
    store("AMK-20261124-7KQ4")
    for typed in ("AMK-20261124-7KQ3", "amk-20261124-7kq3", "ＡＭＫ－２０２６１１２４－７ＫＱ３", " AMK ー20261124ー7KQ3 "):
        page = client.get(INBOX, query_string={"reference": typed}).get_data(as_text=True)
        assert references(page) == [reference], typed
    missing = client.get(INBOX, query_string={"reference": "AMK-20261124-7KQ"}).get_data(as_text=True)
    assert references(missing) == [] and "No inquiry has this reference." in missing


def test_htmx_filter_gets_only_the_results_fragment(client, support, store):
    store()
    fragment = client.get(INBOX, query_string={"status": "new"}, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="inbox-results"' in fragment
    assert 'hx-swap-oob="true"' in fragment            # the form's hidden status follows the tab
    assert "HX-Request" in client.get(INBOX).headers["Vary"]


def test_inbox_pages_with_a_cursor(client, support, store):
    made = [store() for _ in range(53)]
    first = client.get(INBOX).get_data(as_text=True)
    assert references(first) == made[:50]
    more = re.search(r'href="(/staff/support/inbox\?[^"]*cursor=\d+[^"]*)"', first).group(1)
    assert references(client.get(more.replace("&amp;", "&")).get_data(as_text=True)) == made[50:]


def test_bad_filters_are_a_4xx_with_a_message_not_a_500(client, support):
    for query in ({"status": "lost"}, {"cursor": "x"}, {"category": "<b>"}):
        answer = client.get(INBOX, query_string=query)
        assert answer.status_code == 422 and "These filters cannot be used." in answer.get_data(as_text=True)


def test_inquiry_page_shows_message_contact_times_in_tokyo_and_the_consent_event(client, support, store):
    reference = store()
    page = client.get(f"/staff/support/inquiries/{reference.lower()}").get_data(as_text=True)
    assert "山田 太郎" in page and "賞品がまだ届きません。" in page and "090-1234-5678" in page
    assert "2026-11-24 11:30" in page        # received 02:30 UTC
    assert "2026-11-24 12:00" in page        # reply promised 03:00 UTC
    assert "Prizes and shipping" in page
    assert "No. 1" in page and 'href="/privacy/1"' in page and "Granted" in page
    assert client.get("/staff/support/inquiries/AMK-00000000-XXXX").status_code == 404


def test_status_change_without_js_redirects_and_is_logged(app, client, support, store):
    reference = store()
    answer = post(client, f"/staff/support/inquiries/{reference}/status", {"status": "in_progress", "current": "new"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(reference)
    assert row_of(app, reference).status == "in_progress"
    assert logged(app, "inquiry_status_changed") == [(support, reference, "new -> in_progress")]
    assert "The status is now: In progress" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_status_change_with_htmx_swaps_the_status_cell(app, client, support, store):
    reference = store(status="answered")
    answer = post(client, f"/staff/support/inquiries/{reference}/status", {"status": "closed", "current": "answered"},
                  headers=HTMX)
    cell = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in cell and "The status is now: Closed" in cell
    assert "Now: Closed" in cell
    assert row_of(app, reference).status == "closed"


def test_a_status_that_does_not_follow_is_refused_and_nothing_changes(app, client, support, store):
    reference = store(status="closed")
    answer = post(client, f"/staff/support/inquiries/{reference}/status", {"status": "new", "current": "closed"})
    assert answer.status_code == 422 and "cannot become New" in answer.get_data(as_text=True)
    assert row_of(app, reference).status == "closed" and logged(app, "inquiry_status_changed") == []


def test_disclosure_checklist_is_stored_logged_and_shows_the_deadline(app, client, support, store):
    reference = store(category="disclosure")
    page = client.get(f"/staff/support/inquiries/{reference}").get_data(as_text=True)
    assert "Checklist: request about personal information" in page
    answer = post(client, f"/staff/support/inquiries/{reference}/checklist", {
        "request_type": "disclosure", "form_received_on": "2026-11-20", "identity_confirmed": "y"})
    assert answer.status_code == 302
    with app.app_context(), database.connection_context():
        notes = {n.key: (n.value, n.updated_by) for n in InquiryNote.select()}
    assert notes == {"request_type": ("disclosure", support), "form_received_on": ("2026-11-20", support),
                     "identity_confirmed": ("yes", support)}
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Answer by November 30, 2026" in page           # 10 days after the form arrived
    assert "Still to do: Fee received (¥1,000 + tax), Answer documents sent" in page
    assert logged(app, "disclosure_checklist_updated") == [
        (support, reference, "request_type=disclosure, form_received_on=2026-11-20, identity_confirmed=yes")]


def test_checklist_fee_and_agent_documents_only_where_they_apply(app, client, support, store):
    reference = store(category="disclosure")
    answer = post(client, f"/staff/support/inquiries/{reference}/checklist",
                  {"request_type": "correction", "by_agent": "y"}, headers=HTMX)
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in fragment and "The checklist is saved." in fragment
    assert "No fee for this kind of request." in fragment
    assert "Still to do: Identity confirmed, Agent's documents received" in fragment


def test_checklist_refuses_bad_input_and_other_categories(app, client, support, store):
    disclosure, prizes = store(category="disclosure"), store(category="prizes")
    bad = post(client, f"/staff/support/inquiries/{disclosure}/checklist", {"form_received_on": "someday"})
    assert bad.status_code == 422 and "Not a valid date value." in bad.get_data(as_text=True)
    assert post(client, f"/staff/support/inquiries/{prizes}/checklist", {"identity_confirmed": "y"}).status_code == 404
    with app.app_context(), database.connection_context():
        assert InquiryNote.select().count() == 0


def test_erased_inquiry_shows_erased_instead_of_personal_data(client, support, store):
    reference = store(name="", email="", phone="", order_number="", message="",
                      erased_at=datetime(2026, 11, 25, 1, 0))
    page = client.get(f"/staff/support/inquiries/{reference}").get_data(as_text=True)
    assert "erased" in page and "mailto:" not in page and "Message" not in page
    assert "2026-11-25 10:00" in page
    assert "erased" in client.get(INBOX).get_data(as_text=True)


def test_pages_are_in_japanese_by_default(app, store):
    reference = store(category="disclosure")
    client = app.test_client()
    sign_in_staff(app, client, "support")
    inbox = client.get(INBOX).get_data(as_text=True)
    assert "お問合せ一覧" in inbox and "新規" in inbox
    assert "開示等請求のチェックリスト" in client.get(f"/staff/support/inquiries/{reference}").get_data(as_text=True)
