"""The inquiry form, walked without JavaScript: consent first, details, confirm, done."""
import re

from inquiry_helpers import GOOD_ANSWERS, agree, post_form, send_inquiry
from madoguchi.ledger.pseudonyms import subject_key
from madoguchi.policy.revisions import sha256_text
from models import ConsentEvent, Inquiry, OutboxMail, database


def rows(app, model):
    with app.app_context(), database.connection_context():
        return list(model.select())


def test_step_one_shows_the_policy_and_an_unticked_box(client):
    page = client.get("/contact/form").get_data(as_text=True)
    assert "個人情報の取扱いについて" in page
    box = re.search(r'<input[^>]*id="agree"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert 'href="/privacy/1"' in page


def test_nothing_can_be_entered_before_consent(client):
    response = client.get("/contact/form/details")
    assert response.status_code == 303 and response.headers["Location"].endswith("/contact/form")


def test_consent_must_be_ticked(client):
    response = post_form(client, "/contact/form", {"policy_version": "1"})
    assert response.status_code == 422
    assert "同意" in response.get_data(as_text=True)


def test_missing_answers_are_listed_at_the_top_and_typed_text_is_kept(client):
    agree(client)
    response = post_form(client, "/contact/form/details", {"name": "山田 太郎", "message": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in page and 'href="#email"' in page and 'href="#message"' in page
    assert 'value="山田 太郎"' in page


def test_the_whole_walk_stores_the_inquiry_its_consent_and_its_mail(app, client):
    response = send_inquiry(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/contact/form/done")
    done = client.get("/contact/form/done").get_data(as_text=True)
    reference = re.search(r"AMK-\d{8}-[2-9A-Z]{4}", done).group(0)

    [inquiry] = rows(app, Inquiry)
    assert inquiry.reference == reference and inquiry.name == "山田 太郎"
    assert inquiry.message == GOOD_ANSWERS["message"] and inquiry.category == "prizes"
    [event] = rows(app, ConsentEvent)
    assert inquiry.consent_seq == event.seq and event.kind == "granted"
    assert event.policy_version == "1" and event.locale == "ja" and event.method == "web_form_checkbox"
    with app.app_context(), database.connection_context():
        from models import PolicyVersion
        assert event.policy_sha256 == sha256_text(PolicyVersion.get(label="1").text_ja)
    assert event.subject_key == subject_key("taro.yamada@example.jp", "test-subject-key")
    assert event.ip_truncated == "127.0.0.0/24"
    stored = " ".join(str(value) for value in event.__data__.values())
    assert "山田" not in stored and "example.jp" not in stored and "賞品" not in stored
    mails = rows(app, OutboxMail)
    assert sorted(mail.to_addr for mail in mails) == ["support@anymykuji.com", "taro.yamada@example.jp"]


def test_confirm_page_shows_every_answer_with_change_links(client):
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    page = client.get("/contact/form/confirm").get_data(as_text=True)
    for text in ("山田 太郎", "taro.yamada@example.jp", "090-1234-5678", "A-10023", "発送状況を教えてください"):
        assert text in page
    assert page.count('href="/contact/form/details#') == 6


def test_sending_twice_stores_one_inquiry(app, client):
    send_inquiry(client)
    again = client.post("/contact/form/confirm", data={})
    assert again.status_code in (303, 400)
    assert len(rows(app, Inquiry)) == 1


def test_english_walk_records_the_english_text(app, client):
    client.get("/language/en")
    send_inquiry(client)
    [event] = rows(app, ConsentEvent)
    assert event.locale == "en"
    assert "We have received your inquiry" in client.get("/contact/form/done").get_data(as_text=True)


def test_a_policy_published_after_consent_is_shown_and_agreed_to_again(app, client):
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    with app.app_context(), database.connection_context():
        from madoguchi.clock import utcnow
        from madoguchi.policy.store.versions import FIRST_EFFECTIVE_AT
        from models import PolicyVersion
        PolicyVersion.create(label="2", effective_at=utcnow(), text_ja="## 新方針\n", text_en="## New\n",
                             sha256_ja=sha256_text("## 新方針\n"), sha256_en=sha256_text("## New\n"),
                             published_at=utcnow(), published_by="test")
        assert FIRST_EFFECTIVE_AT < utcnow()
    response = post_form(client, "/contact/form/confirm", {})
    assert response.headers["Location"].endswith("/contact/form")
    page = client.get("/contact/form").get_data(as_text=True)
    assert "改定" in page and 'value="2"' in page
    assert agree(client).headers["Location"].endswith("/contact/form/confirm")  # answers were kept
    post_form(client, "/contact/form/confirm", {})
    [event] = rows(app, ConsentEvent)
    assert event.policy_version == "2" and event.policy_sha256 == sha256_text("## 新方針\n")


def test_abandoned_drafts_are_purged_when_a_new_journey_starts(app, client):
    from datetime import timedelta

    from madoguchi.clock import utcnow
    from models import FormDraft
    with app.app_context(), database.connection_context():
        FormDraft.create(token="old", answers='{"name": "佐藤 花子"}', updated_at=utcnow() - timedelta(days=1))
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    drafts = rows(app, FormDraft)
    assert [d.token for d in drafts] != ["old"] and all("佐藤" not in d.answers for d in drafts)
    assert len(drafts) == 1
