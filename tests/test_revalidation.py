"""The confirm step checks the saved answers again with every check of the details step.

The details step saves what was typed even when it refuses it (so that reload and back keep it),
so a client that posts an invalid value to details and then posts confirm must be refused there:
no inquiry, no consent event, and the details step shown again with the error."""
import pytest

from conftest import csrf_token
from inquiry_helpers import GOOD_ANSWERS, agree, post_form, send_inquiry
from models import ConsentEvent, Inquiry, database

# (what is changed in good answers, the field refused, the English error shown for it)
INVALID_ANSWERS = [
    ({"order_number": "A" * 5025}, "order_number", "The order number must be 40 characters or fewer"),
    ({"order_number": "A-1<b>"}, "order_number", "Order numbers have only letters, digits and hyphens"),
    ({"phone": "<svg/onload=alert(1)>"}, "phone", "Enter a phone number like 090-1234-5678"),
    ({"phone": "12345"}, "phone", "Enter a phone number like 090-1234-5678 or 03-1234-5678"),
    ({"name": "山" * 101}, "name", "Your name must be 100 characters or fewer"),
    ({"email": "taro@@example.jp", "email_confirm": "taro@@example.jp"}, "email", None),
    ({"email": "x@" + "a" * 250 + ".jp", "email_confirm": "x@" + "a" * 250 + ".jp"}, "email",
     "The email address must be 254 characters or fewer"),
    ({"email_confirm": "other@example.jp"}, "email_confirm", "The two email addresses are different"),
    ({"message": "あ" * 2001}, "message", "Your question must be 2,000 characters or fewer"),
    # Control, zero-width and bidi characters are cleaned away: nothing is left of this name.
    ({"name": "\u200b\x07\u202e\x00"}, "name", "Enter your name"),
    ({"category": "lottery2"}, "category", "Not a valid choice"),
    ({"email_confirm": None}, "email_confirm", "Enter your email address again to confirm it"),
    ({"message": None}, "message", "Enter your question"),
]


def stored(app):
    with app.app_context(), database.connection_context():
        return Inquiry.select().count(), ConsentEvent.select().count()


def english_client(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def answers_with(changes):
    answers = {**GOOD_ANSWERS, **changes}
    return {name: value for name, value in answers.items() if value is not None}


@pytest.mark.parametrize(("changes", "field", "error"), INVALID_ANSWERS,
                         ids=[case[1] + "-" + str(n) for n, case in enumerate(INVALID_ANSWERS)])
def test_confirm_refuses_what_details_refused(app, changes, field, error):
    client = english_client(app)
    agree(client)
    refused = post_form(client, "/contact/form/details", answers_with(changes))
    assert refused.status_code == 422

    confirmed = client.post("/contact/form/confirm", data={"csrf_token": csrf_token(client)})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith("/contact/form/details")
    assert stored(app) == (0, 0)

    details = client.get("/contact/form/details")
    page = details.get_data(as_text=True)
    assert details.status_code == 422 and f'id="{field}-error"' in page
    if error:
        assert error in page
    assert stored(app) == (0, 0)


def test_the_confirm_page_itself_is_not_shown_for_refused_answers(app):
    client = english_client(app)
    agree(client)
    post_form(client, "/contact/form/details", answers_with({"order_number": "A" * 5025}))
    shown = client.get("/contact/form/confirm")
    assert shown.status_code == 303 and shown.headers["Location"].endswith("/contact/form/details")


def test_after_mending_the_answer_the_inquiry_is_sent(app):
    client = english_client(app)
    agree(client)
    post_form(client, "/contact/form/details", answers_with({"phone": "<svg/onload=alert(1)>"}))
    assert client.post("/contact/form/confirm", data={"csrf_token": csrf_token(client)}).status_code == 303
    assert stored(app) == (0, 0)
    assert send_inquiry(client).headers["Location"].endswith("/contact/form/done")
    assert stored(app) == (1, 1)
    with app.app_context(), database.connection_context():
        assert Inquiry.get().phone == "090-1234-5678"


def test_a_valid_draft_opens_the_details_step_without_errors(app):
    client = english_client(app)
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    details = client.get("/contact/form/details")
    assert details.status_code == 200 and "error-summary" not in details.get_data(as_text=True)
