"""The admin's policy versions: list, draft, preview, diff, publish, scheduling, the public notice."""
import re
import sqlite3
from datetime import datetime, timedelta

import pytest
from markupsafe import escape

from conftest import csrf_token, sign_in_staff
from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin
from madoguchi.policy.store import versions as policy_store
from models import PolicyVersion, StaffAction

LIST = "/staff/admin/policies"
NEW = "/staff/admin/policies/new"
NEW_LINE_JA = "第7条 重要なお知らせはサイト上で行います。"
NEW_LINE_EN = "7. Important notices are given on this site."
NEW_TEXT_EN = "Important notices are given on this site."     # the public page shows "7." as a list number


@pytest.fixture
def admin(app, client):
    client.set_cookie("lang", "en")
    return sign_in_staff(app, client, "admin")


def first_version(app):
    with app.app_context():
        return PolicyVersion.get(PolicyVersion.label == "1")


def draft_data(client, app, **changes):
    v1 = first_version(app)
    data = {"csrf_token": csrf_token(client, LIST), "label": "2", "effective_at": "2030-04-01T00:00",
            "change_summary": "第7条（お知らせ）を追加", "change_summary_en": "Adds section 7 on notices",
            "significant": "y",
            "text_ja": v1.text_ja + "\n" + NEW_LINE_JA + "\n", "text_en": v1.text_en + "\n" + NEW_LINE_EN + "\n"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def create_draft(client, app, **changes):
    answer = client.post(NEW, data=draft_data(client, app, **changes))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(re.search(r"/policies/(\d+)$", answer.headers["Location"]).group(1))


def section(page, heading):
    """The part of a page under the <h2> `heading`, up to the next <h2>."""
    return re.search(rf"<h2[^>]*>{heading}</h2>(.*?)(<h2[ >]|</main>)", page, re.S).group(1)


def version_row(app, version_id):
    with app.app_context():
        return PolicyVersion.get_by_id(version_id)


def test_list_groups_current_scheduled_drafts_and_past(app, client, admin):
    now = utcnow()
    with app.app_context():
        v1 = policy_store.by_label("1")
        values = {"text_ja": v1.text_ja, "text_en": v1.text_en, "change_summary": "x",
                  "change_summary_en": "x", "significant": False}
        policy_admin.publish_new(dict(values, label="2", effective_at=now - timedelta(days=1)), "t")
        policy_admin.publish_new(dict(values, label="3", effective_at=now + timedelta(days=3)), "t")
        policy_admin.save_draft(dict(values, label="4", effective_at=now + timedelta(days=9)), "t")
    page = client.get(LIST).get_data(as_text=True)
    assert "Version 2" in section(page, "Current") and "Version 1" not in section(page, "Current")
    assert "Version 3" in section(page, "Scheduled")
    assert "Version 4" in section(page, "Drafts") and "Edit draft" in section(page, "Drafts")
    assert "Version 1" in section(page, "Past") and "Edit draft" not in section(page, "Past")


def test_new_draft_starts_from_the_current_texts(app, client, admin):
    page = client.get(NEW).get_data(as_text=True)
    first_line = first_version(app).text_ja.splitlines()[0]
    assert str(escape(first_line)) in page
    assert 'type="datetime-local"' in page


def test_draft_is_stored_with_the_japan_time_in_utc_and_not_shown_to_customers(app, client, admin):
    version_id = create_draft(client, app)
    draft = version_row(app, version_id)
    assert draft.published_at is None and draft.label == "2" and draft.significant
    assert draft.effective_at == datetime(2030, 3, 31, 15, 0)        # 2030-04-01 00:00 JST
    assert client.get("/privacy/2").status_code == 404
    assert NEW_TEXT_EN not in client.get("/privacy").get_data(as_text=True)
    with app.app_context():
        assert StaffAction.get(StaffAction.action == "policy_draft_saved").actor == admin


@pytest.mark.parametrize("changes, message", [
    ({"label": "1"}, "Another version already has this label"),
    ({"label": "2/../1"}, "Use only letters, digits, dots, hyphens and underscores"),
    ({"label": ""}, "Enter a label"),
    ({"effective_at": "tomorrow"}, "Enter the date and time it takes effect"),
    ({"text_en": "  "}, "Enter the English text"),
])
def test_draft_form_explains_bad_input_and_stores_nothing(app, client, admin, changes, message):
    answer = client.post(NEW, data=draft_data(client, app, **changes))
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        assert PolicyVersion.select().count() == 1


def test_draft_can_be_edited_keeping_its_label(app, client, admin):
    version_id = create_draft(client, app)
    edit = f"/staff/admin/policies/{version_id}/edit"
    assert 'value="2030-04-01T00:00"' in client.get(edit).get_data(as_text=True)
    answer = client.post(edit, data=draft_data(client, app, change_summary="Better summary", significant=None))
    assert answer.status_code == 302
    draft = version_row(app, version_id)
    assert draft.change_summary == "Better summary" and not draft.significant and draft.label == "2"


def test_preview_shows_the_text_in_either_language_and_answers_htmx_with_a_fragment(app, client, admin):
    version_id = create_draft(client, app)
    preview = f"/staff/admin/policies/{version_id}"
    assert NEW_LINE_JA in client.get(preview).get_data(as_text=True)
    english = client.get(preview, query_string={"locale": "en"}).get_data(as_text=True)
    assert NEW_TEXT_EN in english and "<html" in english
    fragment = client.get(preview, query_string={"locale": "en"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert NEW_TEXT_EN in fragment.get_data(as_text=True)


def test_diff_shows_removed_and_added_lines_side_by_side(app, client, admin):
    v1_ja = first_version(app).text_ja
    old_line = next(line for line in v1_ja.splitlines() if len(line) > 10)
    version_id = create_draft(client, app, text_ja=v1_ja.replace(old_line, "変更された行です。"))
    page = client.get(f"/staff/admin/policies/{version_id}/diff").get_data(as_text=True)
    assert f"<del>{escape(old_line)}</del>" in page
    assert "<ins>変更された行です。</ins>" in page
    assert "Lines that differ: 1" in page
    english = client.get(f"/staff/admin/policies/{version_id}/diff?locale=en").get_data(as_text=True)
    assert f"<ins>{escape(NEW_LINE_EN)}</ins>" in english


def test_publish_needs_the_confirmation_post(app, client, admin):
    version_id = create_draft(client, app)
    confirm = client.get(f"/staff/admin/policies/{version_id}/publish").get_data(as_text=True)
    assert "A published version can never be changed" in confirm and "Publish version 2" in confirm
    assert client.post(f"/staff/admin/policies/{version_id}/publish").status_code == 400   # no CSRF
    assert version_row(app, version_id).published_at is None


def test_publishing_makes_the_version_current_and_freezes_it(app, client, admin):
    version_id = create_draft(client, app, effective_at="2020-01-01T00:00")   # past: takes effect now
    before = utcnow()
    confirm_page = f"/staff/admin/policies/{version_id}/publish"
    assert "At once" in client.get(confirm_page).get_data(as_text=True)
    answer = client.post(confirm_page, data={"csrf_token": csrf_token(client, LIST)})
    assert answer.status_code == 302 and answer.headers["Location"] == LIST
    published = version_row(app, version_id)
    assert published.published_by == admin and published.published_at >= before
    assert published.effective_at >= before
    assert published.sha256_ja == revisions.sha256_text(published.text_ja)
    assert published.sha256_en == revisions.sha256_text(published.text_en)
    assert NEW_TEXT_EN in client.get("/privacy").get_data(as_text=True)
    assert NEW_TEXT_EN not in client.get("/privacy/1").get_data(as_text=True)
    with app.app_context():
        assert StaffAction.get(StaffAction.action == "policy_published").target == "2"


def test_a_published_version_offers_no_edit_and_the_database_refuses_changes(app, client, admin):
    version_id = create_draft(client, app)
    client.post(f"/staff/admin/policies/{version_id}/publish", data={"csrf_token": csrf_token(client, LIST)})
    for path in (f"/staff/admin/policies/{version_id}/edit", f"/staff/admin/policies/{version_id}/publish"):
        assert client.get(path).status_code == 404
        assert client.post(path, data=draft_data(client, app, label="2")).status_code == 404
    preview = client.get(f"/staff/admin/policies/{version_id}").get_data(as_text=True)
    assert "Edit draft" not in preview and "Publish…" not in preview
    db = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.DatabaseError, match="cannot change"):
        db.execute("UPDATE policy_version SET text_en = 'changed' WHERE label = '2'")
    db.close()
    with app.app_context(), pytest.raises(revisions.PolicyError):
        policy_admin.save_draft(draft_data(client, app), "t", policy_admin.version_by_id(version_id))


def test_a_scheduled_version_becomes_current_by_itself(app, client, admin):
    version_id = create_draft(client, app, effective_at="2030-04-01T00:00")
    client.post(f"/staff/admin/policies/{version_id}/publish", data={"csrf_token": csrf_token(client, LIST)})
    assert "Version 2" in section(client.get(LIST).get_data(as_text=True), "Scheduled")
    assert NEW_TEXT_EN not in client.get("/privacy").get_data(as_text=True)
    with app.app_context():
        assert policy_store.current_version(datetime(2030, 3, 31, 14, 59)).label == "1"
        assert policy_store.current_version(datetime(2030, 3, 31, 15, 0)).label == "2"
        # Published an hour ago for half an hour ago: nobody acted since, and it is in effect now.
        draft = policy_admin.save_draft(dict(draft_data(client, app, label="3"), significant=False,
                                             effective_at=utcnow() - timedelta(minutes=30)), "t")
        policy_admin.publish(draft, "t", now=utcnow() - timedelta(hours=1))
    assert NEW_TEXT_EN in client.get("/privacy").get_data(as_text=True)
    assert "Version 3" in section(client.get(LIST).get_data(as_text=True), "Current")


def publish_days_ago(app, days, significant):
    with app.app_context():
        v1 = policy_store.by_label("1")
        effective = utcnow() - timedelta(days=days)
        draft = policy_admin.save_draft({
            "label": "2", "text_ja": v1.text_ja + "\n追記", "text_en": v1.text_en + "\nAddendum",
            "change_summary": "s", "change_summary_en": "s", "significant": significant,
            "effective_at": effective}, "t")
        policy_admin.publish(draft, "t", now=effective - timedelta(days=1))


NOTICE = "The privacy policy was revised on"


def test_a_significant_change_is_announced_on_the_public_pages(app, client):
    client.set_cookie("lang", "en")
    publish_days_ago(app, 10, significant=True)
    page = client.get("/contact").get_data(as_text=True)
    assert NOTICE in page and 'href="/privacy/2/changes">See what changed.' in page
    app.config["POLICY_NOTICE_DAYS"] = 9
    assert NOTICE not in client.get("/contact").get_data(as_text=True)


def test_an_insignificant_change_is_not_announced(app, client):
    client.set_cookie("lang", "en")
    publish_days_ago(app, 1, significant=False)
    assert NOTICE not in client.get("/contact").get_data(as_text=True)
