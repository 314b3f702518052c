"""Support's status change (issue 10): an explicit button, forward or back one step, logged with
who, when, from and to; a refused move (two steps back, a form someone else overtook, odd input)
is a 422 with a message, never a 500, and changes nothing."""
import pytest

from conftest import sign_in_staff
from madoguchi.inquiries import statuses
from madoguchi.inquiries.store import inbox as inquiry_inbox
from models import Inquiry, StaffAction, database
from test_support_pages import HTMX, logged, post, row_of, store, support  # noqa: F401  (fixtures)

STATUS_CHANGED = "inquiry_status_changed"


def change(client, reference, status, current, **kwargs):
    return post(client, f"/staff/support/inquiries/{reference}/status",
                {"status": status, "current": current}, **kwargs)


@pytest.mark.parametrize("current, expected", [
    ("new", [("in_progress", False), ("answered", False), ("closed", False)]),
    ("in_progress", [("answered", False), ("closed", False), ("new", True)]),
    ("answered", [("closed", False), ("in_progress", True)]),
    ("closed", [("answered", True), ("in_progress", True)]),   # back one step, or reopened
    ("lost", []),
])
def test_moves_go_forward_or_back_one_step(current, expected):
    assert statuses.moves(current) == expected


def test_refusal_reasons():
    assert statuses.refusal("in_progress", "in_progress", "new") is None
    assert statuses.refusal("answered", "answered", "new") == statuses.NOT_A_MOVE       # two steps back
    assert statuses.refusal("new", "in_progress", "answered") == statuses.CHANGED_MEANWHILE
    assert statuses.refusal("new", "new", "new") == statuses.UNCHANGED


def test_forward_then_back_one_step_each_logged_with_who_from_and_to(app, client, support, store):
    reference = store()
    assert change(client, reference, "in_progress", "new").status_code == 302
    answer = change(client, reference, "new", "in_progress")
    assert answer.status_code == 302 and row_of(app, reference).status == "new"
    assert "The status is now: New" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert logged(app, STATUS_CHANGED) == [(support, reference, "new -> in_progress"),
                                           (support, reference, "in_progress -> new")]
    with app.app_context(), database.connection_context():
        assert all(entry.occurred_at for entry in StaffAction.select())


@pytest.mark.parametrize("status, current, stored, message", [
    ("new", "answered", "answered", "cannot become New"),                      # two steps back
    ("answered", "new", "in_progress", "Someone else changed the status meanwhile"),  # stale form
    ("in_progress", "in_progress", "in_progress", "The status is already In progress."),
    ("lost", "in_progress", "in_progress", "Choose one of the statuses offered."),
    ("closed", "<b>", "in_progress", "Choose one of the statuses offered."),
    ("closed", "", "in_progress", "Choose one of the statuses offered."),
])
def test_refused_moves_are_a_422_with_a_message_and_change_nothing(app, client, support, store,
                                                                   status, current, stored, message):
    reference = store(status=stored)
    for headers in ({}, HTMX):
        answer = change(client, reference, status, current, headers=headers)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422 and message in page, page
        assert 'role="alert"' in page and f"Now: " in page
    assert row_of(app, reference).status == stored and logged(app, STATUS_CHANGED) == []


def test_htmx_answer_is_the_form_with_its_message_to_focus(app, client, support, store):
    reference = store(status="closed")
    fragment = change(client, reference, "answered", "closed", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and f'id="status-form-{reference}"' in fragment
    assert 'role="status" tabindex="-1" data-focus-after-swap>The status is now: Answered' in fragment
    assert 'name="current" value="answered"' in fragment     # the next change starts from here


def test_the_form_saves_only_by_its_button(app, store):
    reference = store(status="in_progress")
    client = app.test_client()
    sign_in_staff(app, client, "support")
    for path in ("/staff/support/inbox?status=in_progress", f"/staff/support/inquiries/{reference}"):
        page = client.get(path).get_data(as_text=True)
        form = page[page.index(f'id="status-form-{reference}"'):]
        form = form[:form.index("</form>")]
        assert "hx-trigger" not in form and "onchange" not in form    # no save on change
        assert "状態を変更する" in form and 'name="current" value="in_progress"' in form
        assert "新規 に戻す" in form or "新規に戻す" in form


def test_of_two_changes_from_the_same_status_one_wins(app, support, store):
    reference = store(status="new")
    with app.app_context(), database.connection_context():
        first, second = (Inquiry.get(Inquiry.reference == reference) for _ in range(2))
        inquiry_inbox.change_status(first, "in_progress", "a@anymykuji.com", seen="new")
        with pytest.raises(inquiry_inbox.StatusRefused) as refused:
            inquiry_inbox.change_status(second, "closed", "b@anymykuji.com", seen="new")
    assert refused.value.reason == statuses.CHANGED_MEANWHILE and refused.value.current == "in_progress"
    assert row_of(app, reference).status == "in_progress"
    assert logged(app, STATUS_CHANGED) == [("a@anymykuji.com", reference, "new -> in_progress")]
