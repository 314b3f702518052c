"""Naive bots are turned back at the details step without anything stored: a filled hidden field,
or a form sent back sooner than INQUIRY_MIN_FILL_SECONDS after it was served (or without a served
time of ours). Both answers look the same; a person who was just quick sends again and gets on."""
import re
import time

from inquiry_helpers import GOOD_ANSWERS, agree, token_of
from madoguchi import abuse
from models import ConsentEvent, FormDraft, Inquiry, OutboxMail

SEND_AGAIN = "Please check your answers and send them again."


def served_of(page):
    return re.search(r'name="served" type="hidden" value="([^"]+)"', page).group(1)


def details_page(client):
    agree(client)
    return client.get("/contact/form/details", headers={"Accept-Language": "en"}).get_data(as_text=True)


def post_details(client, page, **changes):
    data = {"csrf_token": token_of(page), "served": served_of(page), **GOOD_ANSWERS, **changes}
    return client.post("/contact/form/details", data={k: v for k, v in data.items() if v is not None},
                       headers={"Accept-Language": "en"})


def nothing_stored(client):
    with client.session_transaction() as session:
        assert "draft" not in session
    assert FormDraft.select().count() == Inquiry.select().count() == ConsentEvent.select().count() == 0
    assert OutboxMail.select().count() == 0
    # Nothing to confirm: the confirm step sends the customer back to the details.
    assert client.get("/contact/form/confirm").headers["Location"].endswith("/contact/form/details")
    return True


def without_tokens(page):
    return re.sub(r'value="[^"]*"', 'value=""', page)


def test_the_hidden_field_is_out_of_sight_and_reach_and_asks_to_be_left_empty(client):
    page = details_page(client)
    trap = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', page, re.DOTALL).group(1)
    assert '<label for="website">This field is a check against spam: please leave it empty.</label>' in trap
    field = re.search(r"<input[^>]*>", trap).group(0)
    for attribute in ('name="website"', 'type="text"', 'autocomplete="off"', 'tabindex="-1"', 'value=""'):
        assert attribute in field


def test_a_filled_hidden_field_stores_nothing(make_app):
    client = make_app().test_client()     # the tests' minimum fill time is 0: only the hidden field
    answer = post_details(client, details_page(client), website="http://spam.example")

    assert answer.status_code == 422
    assert SEND_AGAIN in answer.get_data(as_text=True)
    assert 'value="http://spam.example"' not in answer.get_data(as_text=True)
    assert nothing_stored(client)


def test_a_form_sent_too_soon_stores_nothing_and_sent_again_after_the_wait_goes_on(make_app):
    client = make_app(INQUIRY_MIN_FILL_SECONDS=0.6).test_client()
    page = details_page(client)

    too_soon = post_details(client, page)
    assert too_soon.status_code == 422
    shown = too_soon.get_data(as_text=True)
    assert SEND_AGAIN in shown and GOOD_ANSWERS["message"] in shown   # what was typed is shown again
    assert served_of(shown) == served_of(page)      # the wait runs from when the form was served
    assert nothing_stored(client)

    time.sleep(0.7)
    again = post_details(client, shown)
    assert again.status_code == 303 and again.headers["Location"].endswith("/contact/form/confirm")
    page = client.get("/contact/form/confirm").get_data(as_text=True)
    assert client.post("/contact/form/confirm", data={"csrf_token": token_of(page)}).status_code == 303
    assert (Inquiry.select().count(), ConsentEvent.select().count()) == (1, 1)


def test_a_form_without_a_served_time_of_ours_counts_as_sent_at_once(make_app):
    app = make_app(INQUIRY_MIN_FILL_SECONDS=60)
    client = app.test_client()
    page = details_page(client)
    an_hour_ago = abuse.served_token(time.time() - 3600, "another-secret")

    for served in (None, "", "1.0.forged", an_hour_ago):
        answer = post_details(client, page, served=served)
        assert answer.status_code == 422 and SEND_AGAIN in answer.get_data(as_text=True)
        # A fresh served time replaces it, so a person can send again after the wait.
        assert abuse.seconds_since_served(served_of(answer.get_data(as_text=True)), time.time(), "test-secret") < 5
    assert nothing_stored(client)


def test_both_checks_answer_alike(make_app):
    """The answer does not tell a bot which check turned it back."""
    client = make_app(INQUIRY_MIN_FILL_SECONDS=60).test_client()
    page = details_page(client)
    too_soon = post_details(client, page)
    long_enough_ago = abuse.served_token(time.time() - 3600, "test-secret")
    filled = post_details(client, page, served=long_enough_ago, website="x")
    assert too_soon.status_code == filled.status_code == 422
    assert without_tokens(too_soon.get_data(as_text=True)) == without_tokens(filled.get_data(as_text=True))


def test_in_japanese_the_message_is_polite(make_app):
    client = make_app(INQUIRY_MIN_FILL_SECONDS=60).test_client()
    agree(client)
    page = client.get("/contact/form/details").get_data(as_text=True)
    answer = client.post("/contact/form/details", data={"csrf_token": token_of(page), "served": served_of(page),
                                                         **GOOD_ANSWERS})
    assert "入力内容をご確認のうえ、もう一度送信してください。" in answer.get_data(as_text=True)
    assert "迷惑送信対策の欄です。何も入力しないでください。" in page
