"""The language is the customer's: the switch on a form step keeps what was typed; an inquiry's mail
is in the language it was sent in (its consent keeps the language the policy was shown in); an
English mail holds no Japanese but the customer's own text; Japanese on English pages is marked
lang="ja"; times carry the year, and in English the zone, in Tokyo time wherever the server is."""
import re
import sqlite3
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import default
from html.parser import HTMLParser

import pytest

from inquiry_helpers import GOOD_ANSWERS, agree, post_form, token_of
from madoguchi.japanese_text import JAPANESE, has_japanese, mark_japanese
from models import ConsentEvent, Inquiry, database

HX = {"HX-Request": "true"}
DETAILS, CONFIRM = "/contact/form/details", "/contact/form/confirm"
TYPED = {"name": "山田 太郎", "message": "賞品👨‍👩‍👧がまだ届きません。"}


def switch_on(client, path, code, data=None, **kwargs):
    """Press the step's language switch: it posts the step's form with what is in it."""
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": token_of(page), "switch_language": code, **(data or {})},
                       **kwargs)


def sender_name(envelope):
    """The From header's name as mail clients read it: RFC 2047 joins encoded words that a long
    name was folded into (Python's newer header parser puts a space between them)."""
    return str(make_header(decode_header(message_from_bytes(envelope.content)["From"]))).rsplit(" <", 1)[0]


def stored(app):
    with app.app_context(), database.connection_context():
        return list(Inquiry.select()), list(ConsentEvent.select())


# --- the switch on a form step ---------------------------------------------------------------

def test_switching_on_the_details_step_keeps_what_was_typed_without_errors(client):
    agree(client)
    answer = switch_on(client, DETAILS, "en", TYPED)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(DETAILS)
    assert "lang=en" in answer.headers["Set-Cookie"]
    page = client.get(DETAILS).get_data(as_text=True)
    assert '<html lang="en">' in page and "Your question" in page
    assert 'value="山田 太郎"' in page and TYPED["message"] in page
    assert "error-summary" not in page and "Enter your email address" not in page
    # Continuing checks it all as usual, now in English.
    refused = post_form(client, DETAILS, TYPED)
    assert refused.status_code == 422 and "Enter your email address" in refused.get_data(as_text=True)


def test_with_htmx_the_switch_loads_the_same_step_as_a_whole_page(client):
    agree(client)
    answer = switch_on(client, DETAILS, "en", TYPED, headers=HX)
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == DETAILS
    assert 'value="山田 太郎"' in client.get(DETAILS).get_data(as_text=True)


def test_the_switch_is_a_button_of_the_step_form_marked_with_its_language(client):
    agree(client)
    page = client.get(DETAILS).get_data(as_text=True)
    switch = re.search(r'<span id="lang-switch">(.*?)</span>\s*</div>', page, re.DOTALL).group(1)
    buttons = re.findall(r"<button[^>]*>", switch)
    # The hidden one first: Enter in a field presses the form's first button, which must not switch.
    assert 'hidden' in buttons[0] and "name=" not in buttons[0] and 'form="details-form"' in buttons[0]
    assert 'name="switch_language" value="en"' in buttons[1] and 'lang="en"' in buttons[1]
    assert "(this step in English; what you have typed is kept)" in switch
    assert '<form id="details-form"' in page
    contact = client.get("/contact").get_data(as_text=True)     # elsewhere a link
    assert re.search(r'<a class="lang-switch" href="/language/en\?next=/contact" lang="en" hreflang="en">', contact)


def test_after_an_htmx_step_the_switch_belongs_to_that_step(client):
    agree(client)
    fragment = client.get(DETAILS, headers=HX).get_data(as_text=True)
    assert '<span id="lang-switch" hx-swap-oob="true">' in fragment and 'form="details-form"' in fragment


def test_switching_on_the_consent_step_comes_back_unticked_and_records_nothing(app, client):
    answer = switch_on(client, "/contact/form", "en", {"agree": "y", "policy_version": "1"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/contact/form")
    page = client.get("/contact/form").get_data(as_text=True)
    assert "Before you ask" in page and "checked" not in re.search(r'<input[^>]*id="agree"[^>]*>', page).group(0)
    assert stored(app) == ([], [])
    assert client.get(DETAILS).status_code == 303     # no consent was given


def test_switching_on_the_confirm_step_sends_nothing(app, client):
    agree(client)
    post_form(client, DETAILS, GOOD_ANSWERS)
    page = client.get(CONFIRM).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    answer = switch_on(client, CONFIRM, "en", {"submission_key": key})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(CONFIRM)
    assert stored(app) == ([], [])
    assert "Check your answers" in client.get(CONFIRM).get_data(as_text=True)


def test_an_unknown_language_switches_nothing(client):
    agree(client)
    answer = switch_on(client, DETAILS, "fr", TYPED)
    assert answer.status_code == 422 and "lang=" not in answer.headers.get("Set-Cookie", "")


# --- the inquiry's language and its mail -------------------------------------------------------

CUSTOMER = {**GOOD_ANSWERS, "email": "taro.yamada@docomo.ne.jp", "email_confirm": "taro.yamada@docomo.ne.jp",
            "category": "disclosure", "message": "開示をお願いします。\nPlease send me my data."}


def customer_text(answers):
    return [answers[name] for name in ("name", "message", "order_number")]


def without(text, parts):
    for part in parts:
        for line in part.splitlines():
            text = text.replace(line, "")
    return text


def send_in_english_after_agreeing_in_japanese(client):
    agree(client)                                    # the policy shown in Japanese
    switch_on(client, DETAILS, "en", CUSTOMER)
    post_form(client, DETAILS, CUSTOMER)
    return post_form(client, CONFIRM, {})


def test_an_inquiry_sent_in_english_gets_an_english_mail_with_no_japanese_but_the_customers_text(
        make_app, smtp_sink):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    client = app.test_client()
    assert send_in_english_after_agreeing_in_japanese(client).status_code == 303
    [inquiry], [event] = stored(app)
    assert inquiry.locale == "en" and event.locale == "ja"      # the ledger keeps what was shown
    assert app.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    envelopes = {envelope.rcpt_tos[0]: envelope for envelope in smtp_sink.messages}
    mail = message_from_bytes(envelopes["taro.yamada@docomo.ne.jp"].content, policy=default)
    body = mail.get_content()
    assert mail["From"] == "AnyMyKuji Customer Center <support@anymykuji.com>"
    assert "LEGS Co., Ltd." in body and "To respond to inquiries" in body       # purposes in English
    assert "Personal-information request" in body and "/faq#faq-carrier" in body
    assert re.search(r"Received: \w{3} \d{1,2} \w+ 20\d\d, \d\d:\d\d JST", body)
    leftover = without(mail["Subject"] + mail["From"] + body, customer_text(CUSTOMER))
    assert JAPANESE.findall(leftover) == [], leftover
    # The support notification stays Japanese, from the Japanese sender.
    assert sender_name(envelopes["support@anymykuji.com"]) == "エニマイくじ カスタマーセンター"


def test_a_mail_queued_before_senders_were_stored_still_goes_out_from_the_default_sender(
        make_app, smtp_sink, tmp_path):
    """An outbox from the release before (no `sender` column) with an English mail still waiting:
    the upgrade adds the column, and that mail goes out once, from MAIL_DEFAULT_SENDER."""
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_sink.port}
    send_in_english_after_agreeing_in_japanese(make_app(**settings).test_client())
    connection = sqlite3.connect(tmp_path / "test.sqlite3")
    connection.execute("ALTER TABLE outbox_mail DROP COLUMN sender")
    connection.commit()
    connection.close()
    upgraded = make_app(AUTO_INIT_DB=True, **settings)
    assert upgraded.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    senders = {envelope.rcpt_tos[0]: sender_name(envelope) for envelope in smtp_sink.messages}
    assert senders == {"taro.yamada@docomo.ne.jp": "エニマイくじ カスタマーセンター",
                       "support@anymykuji.com": "エニマイくじ カスタマーセンター"}


def test_the_receipt_json_of_that_consent_is_unchanged(make_app):
    """Only the mail's display is per language: the receipt `ledger receipt` prints is the consent's."""
    app = make_app()
    send_in_english_after_agreeing_in_japanese(app.test_client())
    printed = app.test_cli_runner().invoke(args=["ledger", "receipt", "1"]).output
    assert '"piiController": "株式会社レッグス"' in printed and '"language": "ja"' in printed
    assert "お問い合わせ" in printed or "問合せ" in printed     # purposes from the text shown


def test_a_japanese_inquiry_keeps_a_japanese_mail(make_app, smtp_sink):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    client = app.test_client()
    agree(client)
    post_form(client, DETAILS, GOOD_ANSWERS)
    post_form(client, CONFIRM, {})
    app.test_cli_runner().invoke(args=["outbox", "send"])
    envelope = next(e for e in smtp_sink.messages if e.rcpt_tos == ["taro.yamada@example.jp"])
    body = message_from_bytes(envelope.content, policy=default).get_content()
    assert sender_name(envelope) == "エニマイくじ カスタマーセンター" and "株式会社レッグス" in body
    assert re.search(r"受付日時: 20\d\d年\d{1,2}月\d{1,2}日（.）\d\d:\d\d", body)


# --- lang="ja" on Japanese inside English pages ------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class UnmarkedJapanese(HTMLParser):
    """Text with Japanese characters whose nearest lang ancestor is not ja (attributes aside)."""

    def __init__(self):
        super().__init__()
        self.open, self.found = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        hidden = any(tag in ("script", "style", "template") for tag, _ in self.open)
        nearest_lang = next((lang for _, lang in reversed(self.open) if lang), None)
        if has_japanese(data) and not hidden and nearest_lang != "ja":
            self.found.append(data.strip())


def unmarked_japanese(page, own_text=()):
    """What is left unmarked once the customer's own text (which may be in any language) is set aside."""
    walker = UnmarkedJapanese()
    walker.feed(page)
    return [text for text in walker.found if has_japanese(without(text, own_text))]


def english_pages(client):
    """Every page a customer may see, in English, the form walked with Japanese answers."""
    client.get("/language/en")
    pages = {path: client.get(path) for path in ("/contact", "/faq", "/privacy", "/privacy/1",
                                                  "/contact/form", "/no-such-page", "/privacy/none")}
    pages["csrf refused"] = client.post("/contact/form", data={"agree": "y"})
    agree(client)
    pages["details"] = client.get(DETAILS)
    pages["details refused"] = post_form(client, DETAILS, {**CUSTOMER, "email_confirm": ""})
    pages["category help"] = client.get("/contact/form/category-help?category=disclosure")
    post_form(client, DETAILS, CUSTOMER)
    pages["confirm"] = client.get(CONFIRM)
    post_form(client, CONFIRM, {})
    pages["done"] = client.get("/contact/form/done")
    return pages


def test_japanese_on_english_pages_is_marked_lang_ja(client):
    pages = english_pages(client)
    assert pages["done"].status_code == 200 and "taro.yamada@docomo.ne.jp" not in pages["done"].get_data(as_text=True)
    found = {name: unmarked_japanese(page.get_data(as_text=True), customer_text(CUSTOMER))
             for name, page in pages.items()}
    assert {name: texts for name, texts in found.items() if texts} == {}
    assert 'lang="ja">迷惑メールおまかせ規制</span>' in pages["done"].get_data(as_text=True)  # a docomo address
    assert '<span lang="ja">株式会社レッグス</span>' in pages["/privacy"].get_data(as_text=True)


def test_mark_japanese_wraps_runs_of_text_and_leaves_tags_alone():
    html = '<li id="x" title="a">LEGS Co., Ltd. (株式会社レッグス), エニマイくじ カスタマーセンター.</li>'
    assert mark_japanese(html) == ('<li id="x" title="a">LEGS Co., Ltd. (<span lang="ja">株式会社レッグス</span>), '
                                   '<span lang="ja">エニマイくじ カスタマーセンター</span>.</li>')
    assert mark_japanese("<p>plain</p>") == "<p>plain</p>"


# --- times: the year, and JST in English, in Tokyo wherever the server is -----------------------

@pytest.mark.parametrize("lang, expected", [("en", "Thu 3 December 2026, 12:00 JST"),
                                            ("ja", "2026年12月3日（木）12:00")])
def test_times_carry_the_year_and_the_zone_in_tokyo_time(app, server_in_los_angeles, lang, expected):
    from flask_babel import force_locale

    from views.site import opening_time
    with app.test_request_context(), force_locale(lang):
        assert opening_time(datetime(2026, 12, 3, 3, 0)) == expected        # naive: UTC
        assert opening_time(datetime.fromisoformat("2026-12-03T12:00:00+09:00")) == expected
