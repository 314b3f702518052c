"""GOV.UK patterns of the customer's steps, as a browser without JavaScript meets them: titles that
say the step and begin with "エラー:" when the page shows an error summary, the step list, the
character count (no silent cut: a message pasted far over the limit is kept whole, counted and
refused), text kept with its joiners (👨‍👩‍👧 to the mail), and a token that expired shown as the
step again, as sent, with nothing stored. The same in a browser: tests/browser/test_form_accessibility.py."""
import email
import email.policy
import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from conftest import running_smtp_sink
from inquiry_helpers import GOOD_ANSWERS, agree, post_form, send_inquiry, token_of
from madoguchi.inquiries.store import drafts
from madoguchi.settings import CSRF_TOKEN_HOURS
from madoguchi.text_input import multi_line, one_line
from models import FormDraft, Inquiry, database

FAMILY = "👨\u200d👩\u200d👧"     # man, woman, girl joined by ZERO WIDTH JOINER


def title_of(page):
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def stored(app):
    with app.app_context(), database.connection_context():
        return Inquiry.select().count(), FormDraft.select().count()


@pytest.mark.parametrize("lang, step_title, error_title", [
    ("ja", "お問合せ内容 – お問合せフォーム (ステップ 2/4) | エニマイくじ",
     "エラー: お問合せ内容 – お問合せフォーム (ステップ 2/4) | エニマイくじ"),
    ("en", "Your question – Contact form (step 2 of 4) | AnyMyKuji",
     "Error: Your question – Contact form (step 2 of 4) | AnyMyKuji"),
])
def test_titles_say_the_step_and_an_error(client, lang, step_title, error_title):
    headers = {"Accept-Language": lang}
    agree(client, headers=headers)
    page = client.get("/contact/form/details", headers=headers).get_data(as_text=True)
    assert title_of(page) == step_title
    steps = re.search(r'<ol class="steps".*?</ol>', page, re.S).group(0)
    assert len(re.findall(r"<li", steps)) == 4 and steps.count('aria-current="step"') == 1
    assert re.search(r'<li aria-current="step"[^>]*>(?:お問合せ内容|Your question)</li>', steps)
    # The step list comes before the h1, and holds no heading of its own.
    assert page.index('class="steps"') < page.index('<h1 tabindex="-1"') and "<h" not in steps

    refused = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "name": ""}, headers=headers)
    assert refused.status_code == 422 and title_of(refused.get_data(as_text=True)) == error_title


def test_every_step_has_its_title(client):
    assert title_of(client.get("/contact/form").get_data(as_text=True)).startswith(
        "個人情報の取扱いについて – お問合せフォーム (ステップ 1/4)")
    refused = client.post("/contact/form", data={"csrf_token": token_of(client.get("/contact/form").get_data(as_text=True))})
    assert title_of(refused.get_data(as_text=True)).startswith("エラー: 個人情報の取扱いについて")
    send_inquiry(client)
    assert title_of(client.get("/contact/form/done").get_data(as_text=True)).startswith(
        "送信完了 – お問合せフォーム (ステップ 4/4)")


def test_a_pasted_10000_character_message_is_kept_counted_and_refused(app, client):
    agree(client)
    pasted = "あ" * 10_000
    response = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "message": pasted})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert "maxlength" not in textarea.group(0) and textarea.group(1).strip() == pasted    # not cut
    assert 'data-character-limit="2000"' in textarea.group(0)
    assert re.search(r'class="character-count character-count-over"[^>]*>\s*8,000 文字多すぎます', page, re.S)
    # One short message, in the summary and at the field.
    assert page.count("お問合せ内容は2,000文字以内でご入力ください") == 2
    assert "エラー:" in title_of(page)
    assert client.get("/contact/form/confirm").status_code in (302, 303)   # not let through


def test_no_field_cuts_a_paste_the_server_says_each_limit(client):
    agree(client)
    long_address = "t" * 250 + "@example.com"
    response = post_form(client, "/contact/form/details", {
        **GOOD_ANSWERS, "name": "山" * 101, "email": long_address, "email_confirm": long_address,
        "order_number": "A" * 41})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "maxlength" not in page
    assert long_address in page and "山" * 101 in page
    for message in ("254", "100", "40"):
        assert re.search(rf'class="error-message"[^>]*>[^<]*{message}', page), message


def test_the_count_is_of_cleaned_characters_as_the_server_counts(client):
    """Emoji (one character, two UTF-16 units) and Windows line ends (one character) count as
    the stored text counts them: exactly 2,000 passes, 2,001 is refused."""
    agree(client)
    exactly = "😀" * 1500 + "\r\n" * 499 + "末"
    assert len(multi_line(exactly)) == 2000 and len(exactly.encode("utf-16-le")) // 2 == 3999
    over = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "message": exactly + "😀"})
    assert over.status_code == 422 and "1 文字多すぎます" in over.get_data(as_text=True)
    response = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "message": exactly})
    assert response.status_code == 303


def test_joiners_stay_inside_emoji_and_words_other_invisibles_go():
    assert one_line(f"家族 {FAMILY}") == f"家族 {FAMILY}"
    assert multi_line("मि\u200cत्र\n") == "मि\u200cत्र"                  # ZWNJ inside a word
    assert one_line("\u200dabc\u200c") == "abc"                           # joining nothing
    assert one_line("a\u200bb\u202ec\u2066d\u2069\ufeffe\x07") == "abcde"  # ZWSP, bidi, BOM, BEL


def test_a_family_emoji_reaches_the_confirm_page_the_stored_inquiry_and_the_mail(make_app):
    with running_smtp_sink() as sink:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, OUTBOX_SEND_IMMEDIATELY=True)
        client = app.test_client()
        agree(client)
        message = f"家族{FAMILY}で応募しました。"
        post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "message": message, "name": f"山田{FAMILY}"})
        assert message in client.get("/contact/form/confirm").get_data(as_text=True)
        post_form(client, "/contact/form/confirm", {})
        with app.app_context(), database.connection_context():
            assert Inquiry.get().message == message
        deadline = time.time() + 10
        while len(sink.messages) < 2 and time.time() < deadline:
            time.sleep(0.05)
        acknowledgement = next(m for m in sink.messages if "taro.yamada@example.jp" in m.rcpt_tos)
        body = email.message_from_bytes(acknowledgement.content, policy=email.policy.default).get_content()
        assert message in body and f"山田{FAMILY}" in body


def test_the_token_lives_as_long_as_a_draft(app):
    assert timedelta(hours=CSRF_TOKEN_HOURS) == drafts.DRAFT_LIFETIME
    assert app.config["WTF_CSRF_TIME_LIMIT"] == drafts.DRAFT_LIFETIME.total_seconds()


def token_signed_hours_ago(app, client, hours):
    """The form's token as the page would have carried it `hours` ago (Flask-WTF signs the
    session's raw token with the time it was served)."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class SignedThen(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - hours * 3600)
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=SignedThen).dumps(raw)


def test_a_page_open_for_11_hours_is_still_accepted(app, client):
    agree(client)
    response = client.post("/contact/form/details",
                           data={"csrf_token": token_signed_hours_ago(app, client, 11), **GOOD_ANSWERS})
    assert response.status_code == 303


def test_an_expired_token_without_javascript_shows_the_step_again_as_sent(app, client):
    agree(client)
    typed = {**GOOD_ANSWERS, "message": "長く考えていました。"}
    response = client.post("/contact/form/details",
                           data={"csrf_token": token_signed_hours_ago(app, client, 13), **typed})
    again = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "セキュリティ保護のため送信内容を受け付けませんでした" in again and 'role="alert"' in again
    assert "長く考えていました。" in again and 'value="山田 太郎"' in again
    assert title_of(again).startswith("エラー: ")
    assert stored(app) == (0, 0)                                  # nothing stored
    resent = client.post("/contact/form/details", data={"csrf_token": token_of(again), **typed})
    assert resent.status_code == 303 and resent.headers["Location"].endswith("/contact/form/confirm")


def test_an_expired_confirm_without_javascript_shows_the_answers_again(app, client):
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    response = client.post("/contact/form/confirm",
                           data={"csrf_token": token_signed_hours_ago(app, client, 13), "submission_key": "k"})
    assert response.status_code == 422 and "taro.yamada@example.jp" in response.get_data(as_text=True)
    assert stored(app) == (0, 1)                                  # the draft only, no inquiry


def test_an_expired_token_with_htmx_answers_400_with_a_fresh_token(app, client):
    agree(client)
    htmx = {"HX-Request": "true"}
    response = client.post("/contact/form/details", headers=htmx,
                           data={"csrf_token": token_signed_hours_ago(app, client, 13), **GOOD_ANSWERS})
    answer = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="problem"' in answer and "もう一度送信してください" in answer
    fresh = re.search(r'data-fresh-token="([^"]+)"', answer).group(1)
    assert stored(app) == (0, 0)
    resent = client.post("/contact/form/details", headers=htmx, data={"csrf_token": fresh, **GOOD_ANSWERS})
    assert resent.status_code == 200 and "/contact/form/confirm" in resent.headers["HX-Location"]


def test_staff_forms_still_answer_an_expired_token_with_the_session_page(client):
    response = client.post("/staff/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400 and "セッションの有効期限が切れました" in response.get_data(as_text=True)
