"""Abuse limits in one process (memory storage, small limits set per test): inquiries per client
and per recipient, counting only those actually stored; the inline advice per client; staff
sign-in per client and per account; the 429 page in Japanese and English, and as an htmx fragment.
Across gunicorn workers through Redis: tests/test_limits_service.py."""
import re

import pytest

from conftest import STAFF_PASSWORD, csrf_token
from inquiry_helpers import GOOD_ANSWERS, agree, post_form, send_inquiry, token_of
from madoguchi import abuse, settings
from madoguchi.staff.store import accounts as staff_accounts
from models import ConsentEvent, FormDraft, Inquiry, OutboxMail

SECRET = "test-secret"


def answers_to(email):
    return dict(GOOD_ANSWERS, email=email, email_confirm=email)


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def stored():
    """(inquiries, consent events, queued mails) in the test's database."""
    return Inquiry.select().count(), ConsentEvent.select().count(), OutboxMail.select().count()


def assert_refused(answer, within_seconds):
    assert answer.status_code == 429, answer.get_data(as_text=True)[:400]
    assert 0 < int(answer.headers["Retry-After"]) <= within_seconds
    assert answer.headers["Cache-Control"] == "no-store"


# ------------------------------------------------------------------------------- the keys (pure)

def test_a_client_is_its_ipv4_address_or_its_ipv6_64():
    assert abuse.client_network("198.51.100.7") == "198.51.100.7"
    assert abuse.client_network("::ffff:198.51.100.7") == "198.51.100.7"
    assert abuse.client_network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert abuse.client_network("not an address") == ""
    same_64 = {abuse.client_key(address, SECRET) for address in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9")}
    assert len(same_64) == 1
    assert abuse.client_key("2001:db8:1:3::1", SECRET) not in same_64


def test_keys_are_keyed_hashes_of_the_normalised_address_never_the_address():
    key = abuse.email_key("recipient", "Taro.Yamada@Example.JP ", SECRET)
    assert key == abuse.email_key("recipient", "taro.yamada@example.jp", SECRET)
    assert key != abuse.email_key("account", "taro.yamada@example.jp", SECRET)
    assert key != abuse.email_key("recipient", "taro.yamada@example.jp", "another-secret")
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert "198.51.100" not in abuse.client_key("198.51.100.7", SECRET)


def test_the_defaults_are_a_real_sites_and_a_mistyped_limit_stops_the_start(tmp_path):
    config = settings.from_environment(str(tmp_path), {})
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["INQUIRY_LIMIT_PER_CLIENT"] == "10 per hour;30 per day"
    assert config["INQUIRY_LIMIT_PER_RECIPIENT"] == "3 per hour;10 per day"
    assert config["INQUIRY_MIN_FILL_SECONDS"] == 3
    with pytest.raises(ValueError):
        settings.from_environment(str(tmp_path), {"INQUIRY_LIMIT_PER_CLIENT": "10 every hour"})


# -------------------------------------------------------------------------------------- inquiries

def test_a_client_is_refused_after_the_configured_number_of_inquiries(make_app):
    app = make_app(INQUIRY_LIMIT_PER_CLIENT="2 per hour")
    client = app.test_client()
    for n in range(2):
        assert send_inquiry(client, answers_to(f"person{n}@example.jp")).status_code == 303
    before = stored()

    refused = send_inquiry(client, answers_to("person2@example.jp"))

    assert_refused(refused, 3600)
    assert stored() == before == (2, 2, 4)
    assert FormDraft.select().count() == 1      # what was written stays for a later try
    # Another client address is counted on its own.
    assert send_inquiry(from_address(app, "203.0.113.9"), answers_to("person3@example.jp")).status_code == 303


def test_one_recipient_is_refused_after_the_configured_number_of_inquiries(make_app):
    app = make_app(INQUIRY_LIMIT_PER_RECIPIENT="2 per hour")
    for n, typed in enumerate(["taro.yamada@example.jp", "Taro.Yamada@Example.jp"]):
        assert send_inquiry(from_address(app, f"198.51.100.{n + 1}"), answers_to(typed)).status_code == 303

    refused = send_inquiry(from_address(app, "198.51.100.3"), answers_to("TARO.YAMADA@EXAMPLE.JP"))

    assert_refused(refused, 3600)
    assert stored() == (2, 2, 4)
    assert send_inquiry(from_address(app, "198.51.100.3"), answers_to("hanako@example.jp")).status_code == 303


def test_the_limits_can_be_switched_off(make_app):
    app = make_app(RATELIMIT_ENABLED=False, INQUIRY_LIMIT_PER_CLIENT="1 per hour")
    client = app.test_client()
    assert [send_inquiry(client, answers_to(f"p{n}@example.jp")).status_code for n in range(2)] == [303, 303]


def test_an_ipv6_client_cannot_rotate_addresses_within_its_64(make_app):
    app = make_app(INQUIRY_LIMIT_PER_CLIENT="1 per hour")
    assert send_inquiry(from_address(app, "2001:db8:1:2::1"), answers_to("a@example.jp")).status_code == 303
    assert send_inquiry(from_address(app, "2001:db8:1:2::2"), answers_to("b@example.jp")).status_code == 429
    assert send_inquiry(from_address(app, "2001:db8:1:3::1"), answers_to("c@example.jp")).status_code == 303


def test_a_repeated_confirm_is_never_refused_nor_counted(make_app):
    """The last inquiry the limit allows, posted twice (a double tap, a retry): the second post
    finds the stored inquiry, even with the limit used up."""
    app = make_app(INQUIRY_LIMIT_PER_CLIENT="1 per hour")
    client = app.test_client()
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    page = client.get("/contact/form/confirm").get_data(as_text=True)
    fields = {"csrf_token": token_of(page),
              "submission_key": re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)}

    first = client.post("/contact/form/confirm", data=fields)
    again = client.post("/contact/form/confirm", data=fields)

    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["Location"].endswith("/contact/form/done")
    assert stored() == (1, 1, 2)
    assert send_inquiry(client, answers_to("next@example.jp")).status_code == 429


# ----------------------------------------------------------------------------------- email advice

def test_the_inline_advice_is_limited_per_client_and_answers_htmx_with_the_message(make_app):
    app = make_app(EMAIL_ADVICE_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    headers = {"X-CSRFToken": csrf_token(client), "HX-Request": "true", "Accept-Language": "en"}
    for _ in range(3):
        answer = client.post("/contact/form/email-advice", data={"email": "taro@gmail.con"}, headers=headers)
        assert answer.status_code == 200

    refused = client.post("/contact/form/email-advice", data={"email": "taro@gmail.com"}, headers=headers)

    assert_refused(refused, 60)
    body = refused.get_data(as_text=True)
    assert "<html" not in body and 'id="problem"' in body and 'role="alert"' in body
    assert "Too many requests" in body and "Please try again in a minute." in body
    other = from_address(app, "203.0.113.9")
    other_headers = dict(headers, **{"X-CSRFToken": csrf_token(other)})
    assert other.post("/contact/form/email-advice", data={"email": "a@b.jp"}, headers=other_headers).status_code == 200


# ---------------------------------------------------------------------------------------- sign-in

@pytest.fixture
def staff_app(make_app):
    def make(**limits):
        app = make_app(**limits)
        with app.app_context():
            for email in ("boss@example.com", "clerk@example.com"):
                staff_accounts.create_user(email, "admin", STAFF_PASSWORD, created_by="test",
                                           hash_method=app.config["PASSWORD_HASH_METHOD"])
        return app
    return make


def sign_in(client, email, password=STAFF_PASSWORD):
    return client.post("/staff/login", headers={"Accept-Language": "en"}, data={
        "csrf_token": csrf_token(client, "/staff/login"), "email": email, "password": password})


def test_sign_in_is_limited_per_client_refused_attempts_counting(staff_app):
    app = staff_app(STAFF_LOGIN_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    assert sign_in(client, "boss@example.com", "wrong password").status_code == 401
    assert sign_in(client, "nobody@example.com", "wrong password").status_code == 401
    assert sign_in(client, "", "").status_code == 400       # an invalid form counts too

    assert_refused(sign_in(client, "boss@example.com"), 60)
    assert sign_in(from_address(app, "203.0.113.9"), "boss@example.com").status_code == 302


def test_sign_in_is_limited_per_account_from_every_address_together(staff_app):
    app = staff_app(STAFF_LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    assert sign_in(from_address(app, "198.51.100.1"), "boss@example.com", "wrong").status_code == 401
    assert sign_in(from_address(app, "198.51.100.2"), " Boss@Example.com", "wrong").status_code == 401

    assert_refused(sign_in(from_address(app, "198.51.100.3"), "BOSS@example.com"), 60)
    assert sign_in(from_address(app, "198.51.100.3"), "clerk@example.com").status_code == 302


# -------------------------------------------------------------------------------- the 429 page

@pytest.mark.parametrize("language, heading, wait", [
    ("ja", "リクエストの回数が上限を超えました", "60分ほどたってから"), ("en", "Too many requests", "Please try again in about 60 minutes.")])
def test_the_429_page_is_translated_and_says_how_long_to_wait(make_app, language, heading, wait):
    app = make_app(INQUIRY_LIMIT_PER_CLIENT="1 per hour")
    client = app.test_client()
    send_inquiry(client, answers_to("a@example.jp"), headers={"Accept-Language": language})

    refused = send_inquiry(client, answers_to("b@example.jp"), headers={"Accept-Language": language})

    assert_refused(refused, 3600)
    page = refused.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert heading in page and wait in page
    assert ("送信されていません" if language == "ja" else "Your inquiry has not been sent.") in page
