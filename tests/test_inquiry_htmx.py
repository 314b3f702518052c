"""With htmx the same routes answer with fragments and move on with HX-Location; the reply time
follows the business calendar; demo data goes through the same ledger."""
import json
import re

from inquiry_helpers import GOOD_ANSWERS, agree, post_form, send_inquiry
from models import ConsentEvent, Inquiry, database

HX = {"HX-Request": "true"}


def test_htmx_steps_get_fragments_and_move_on_with_hx_location(client):
    full = client.get("/contact/form").get_data(as_text=True)
    fragment = client.get("/contact/form", headers=HX).get_data(as_text=True)
    assert full.startswith("<!doctype html>") and "<html" not in fragment
    assert "<title>" in fragment and 'id="agree"' in fragment

    moved = agree(client, headers=HX)
    assert moved.status_code == 200
    assert json.loads(moved.headers["HX-Location"]) == {"path": "/contact/form/details", "target": "#main"}
    details = client.get("/contact/form/details", headers=HX)
    assert "HX-Request" in details.headers["Vary"] and 'hx-post="/contact/form/email-advice"' in details.get_data(as_text=True)


def test_htmx_validation_errors_come_back_as_a_422_fragment(client):
    agree(client)
    response = post_form(client, "/contact/form/details", {**GOOD_ANSWERS, "email": "ta..ro@docomo.ne.jp",
                                                           "email_confirm": "ta..ro@docomo.ne.jp"}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in page
    assert "ケース2" in page and 'value="山田 太郎"' in page


def test_inline_advice_for_a_carrier_address_with_a_case_2_error(client):
    agree(client)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/contact/form/details").get_data(as_text=True)).group(1)
    page = client.post("/contact/form/email-advice", data={"email": "ta..ro@docomo.ne.jp"},
                       headers={**HX, "X-CSRFToken": token}).get_data(as_text=True)
    assert "ケース2" in page and "迷惑メールおまかせ規制" in page and "<html" not in page
    assert 'href="/faq#faq-rfc"' in page


def test_a_typo_suggestion_is_one_click_and_works_without_javascript(client):
    agree(client)
    typo = {**GOOD_ANSWERS, "email": "taro@gmial.com", "email_confirm": "taro@gmial.com"}
    page = post_form(client, "/contact/form/details", typo).get_data(as_text=True)
    assert 'name="apply_fix" value="taro@gmail.com"' in page
    fixed = post_form(client, "/contact/form/details", {**typo, "apply_fix": "taro@gmail.com"}).get_data(as_text=True)
    assert re.search(r'id="email"[^>]*value="taro@gmail.com"', fixed)
    assert re.search(r'id="email_confirm"[^>]*value="taro@gmail.com"', fixed)


def test_a_customer_may_keep_an_address_that_only_looks_like_a_typo(client):
    agree(client)
    unusual = {**GOOD_ANSWERS, "email": "taro@gmial.com", "email_confirm": "taro@gmial.com"}
    assert post_form(client, "/contact/form/details", unusual).status_code == 422  # shown the suggestion once
    kept = post_form(client, "/contact/form/details", {**unusual, "checked_email": "taro@gmial.com"})
    assert kept.status_code == 303
    assert "taro@gmial.com" in client.get("/contact/form/confirm").get_data(as_text=True)


def test_full_width_address_gets_its_half_width_fix(client):
    agree(client)
    wide = {**GOOD_ANSWERS, "email": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "email_confirm": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"}
    response = post_form(client, "/contact/form/details", wide)
    assert response.status_code == 422
    assert 'name="apply_fix" value="taro@example.jp"' in response.get_data(as_text=True)


def test_the_disclosure_category_shows_the_procedure(client):
    page = client.get("/contact/form/category-help", query_string={"category": "disclosure"}).get_data(as_text=True)
    assert "1,000" in page and "10" in page
    assert client.get("/contact/form/category-help", query_string={"category": "prizes"}).get_data(as_text=True).strip() == ""


def test_after_hours_the_done_page_names_the_next_opening(make_app):
    client = make_app(CLOCK_NOW="2026-11-27T18:30:00+09:00").test_client()  # a Friday evening
    send_inquiry(client)
    page = client.get("/contact/form/done").get_data(as_text=True)
    assert "受付時間外" in page and "2026年11月30日（月）12:00" in page


def test_during_hours_the_done_page_says_we_are_open(make_app):
    client = make_app(CLOCK_NOW="2026-11-24T13:00:00+09:00").test_client()  # a Tuesday afternoon
    send_inquiry(client)
    assert "現在は受付時間内です" in client.get("/contact/form/done").get_data(as_text=True)


def test_demo_populate_fills_inquiries_and_a_ledger_that_verifies(app, runner):
    result = runner.invoke(args=["demo", "populate", "--inquiries", "250", "--seed", "7"])
    assert result.exit_code == 0, result.output
    with app.app_context(), database.connection_context():
        assert Inquiry.select().count() == 250 and ConsentEvent.select().count() == 250
        assert all(i.consent_seq for i in Inquiry.select())
    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0 and "250" in verified.output


def test_after_an_htmx_step_the_language_switch_leads_back_to_that_step(client):
    agree(client)
    fragment = client.get("/contact/form/details", headers=HX).get_data(as_text=True)
    assert 'id="lang-switch"' in fragment and 'hx-swap-oob="true"' in fragment
    assert 'form="details-form" name="switch_language"' in fragment   # it posts that step's form


def test_a_customer_who_opened_step_one_before_a_new_version_can_agree_to_it(app, client):
    page = client.get("/contact/form").get_data(as_text=True)
    with app.app_context(), database.connection_context():
        from madoguchi.clock import utcnow
        from madoguchi.policy.revisions import sha256_text
        from models import PolicyVersion
        PolicyVersion.create(label="2", effective_at=utcnow(), text_ja="## 新\n", text_en="## New\n",
                             sha256_ja=sha256_text("## 新\n"), sha256_en=sha256_text("## New\n"),
                             published_at=utcnow(), published_by="test")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post("/contact/form", data={"csrf_token": token, "agree": "y", "policy_version": "1"})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'name="policy_version" type="hidden" value="2"' in shown
    assert re.search(r'<input[^>]*id="agree"[^>]*>', shown).group(0).count("checked") == 0
    assert agree(client).headers["Location"].endswith("/contact/form/details")


def test_the_mail_promises_the_same_reply_time_as_the_done_page(make_app, smtp_sink):
    from test_inquiry_mail import received
    for clock, promise in (("2026-11-27T18:30:00+09:00", "2026年11月30日（月）12:00 以降にご連絡いたします"),
                           ("2027-01-05T13:00:00+09:00", "受付時間内(平日12:00~17:00)にご連絡いたします")):
        smtp_sink.messages.clear()
        client = make_app(CLOCK_NOW=clock, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port,
                          OUTBOX_SEND_IMMEDIATELY=True).test_client()
        send_inquiry(client)
        ack = next(m for m in received(smtp_sink, 2) if m["To"] == GOOD_ANSWERS["email"])
        assert promise in ack.get_content()
