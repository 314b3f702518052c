"""Whatever arrives — control characters, full-width text, invalid UTF-8, huge bodies, forged
choices — the site answers with a message and a 4xx, never a 500, and stores nothing broken."""
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry_helpers import GOOD_ANSWERS, agree, post_form, token_of
from models import Inquiry, database

NASTY = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300) | st.sampled_from([
    "\x00\x01\x1b[31m", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "\u202etxt.exe", "a" * 5000, "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>", "' OR 1=1 --", "\r\n\r\nBcc: x@example.com", "🎯" * 100, "",
])
FIELDS = ["name", "email", "email_confirm", "phone", "category", "order_number", "message"]
fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@fuzz
@given(field=st.sampled_from(FIELDS), value=NASTY)
def test_any_value_in_any_field_is_answered_without_a_server_error(client, field, value):
    agree(client)
    response = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, field: value})
    assert response.status_code in (200, 303, 422)
    if response.status_code == 422:
        assert 'class="error-summary"' in response.get_data(as_text=True)


@fuzz
@given(value=NASTY)
def test_inline_email_advice_never_fails(client, value):
    page = client.get("/contact").get_data(as_text=True)
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post("/contact/form/email-advice", data={"email": value},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200


@fuzz
@given(value=NASTY)
def test_public_pages_take_any_query_or_path(client, value):
    for path in ("/privacy/" + quote(value, safe=""), "/contact/form/category-help"):
        response = client.get(path, query_string={"category": value, "next": value})
        assert response.status_code in (200, 308, 404)  # 308: werkzeug merges doubled slashes
    assert client.get("/language/en", query_string={"next": value}).status_code == 302


def test_control_characters_are_removed_from_one_line_fields(app, client):
    agree(client)
    post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "name": "山田\x00\u202e 太郎\r\n"})
    page = client.get("/contact/form/confirm").get_data(as_text=True)
    assert "山田 太郎" in page and "\x00" not in page and "\u202e" not in page


def test_full_width_phone_numbers_are_accepted_in_half_width(client):
    agree(client)
    response = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "phone": "０９０－１２３４－５６７８"})
    assert response.status_code == 303
    assert "090-1234-5678" in client.get("/contact/form/confirm").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("message", "あ" * 2001, "2000"),
    ("name", "x" * 101, "100"),
    ("category", "lottery'; DROP TABLE inquiry", "Not a valid choice"),
    ("phone", "12345", "090-1234-5678"),
    ("email_confirm", "other@example.jp", "メールアドレスが一致しません"),
])
def test_bad_answers_get_a_clear_message_and_422(client, field, value, message):
    agree(client)
    response = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True) or field == "category"


def test_a_huge_body_is_refused_with_413_and_nothing_is_stored(app, client):
    agree(client)
    page = client.get("/contact/form/details").get_data(as_text=True)
    response = client.post("/contact/form/details",
                           data={**GOOD_ANSWERS, "csrf_token": token_of(page), "message": "x" * 300_000})
    assert response.status_code == 413
    assert "大きすぎます" in response.get_data(as_text=True)
    with app.app_context(), database.connection_context():
        assert Inquiry.select().count() == 0


def test_invalid_utf8_is_answered_not_crashed(client):
    agree(client)
    response = client.post("/contact/form/details", data=b"name=\xff\xfe&email=\xc3(",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 422)


def test_a_post_without_csrf_token_is_refused(client):
    """Refused, and the step is shown again as sent (tests/test_form_patterns.py has the rest)."""
    agree(client)
    response = client.post("/contact/form/details", data=GOOD_ANSWERS)
    assert response.status_code == 422
    assert "セキュリティ保護のため送信内容を受け付けませんでした" in response.get_data(as_text=True)
