"""Idempotent sending: the confirm step carries a one-time key, and a repeated post of it (a
double tap whose second post carries the cookie from before the first answer, a retry with htmx)
stores nothing new and leads to the done page of the inquiry stored first."""
import json
import re

from inquiry_helpers import GOOD_ANSWERS, agree, post_form
from models import ConsentEvent, Inquiry, OutboxMail, database

HX = {"HX-Request": "true"}


def hidden_fields(page):
    return dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', page))


def confirm_form(client):
    agree(client)
    assert post_form(client, "/contact/form/details", GOOD_ANSWERS).status_code == 303
    fields = hidden_fields(client.get("/contact/form/confirm").get_data(as_text=True))
    assert len(fields["submission_key"]) >= 40
    return fields


def counts(app):
    with app.app_context(), database.connection_context():
        return Inquiry.select().count(), ConsentEvent.select().count(), OutboxMail.select().count()


def reference_on(client):
    return re.search(r'id="reference">([^<]+)<', client.get("/contact/form/done").get_data(as_text=True)).group(1)


def test_a_double_tap_with_the_old_cookie_shows_the_same_reference(app, client):
    fields = confirm_form(client)
    cookie_before_sending = client.get_cookie("session").value
    assert client.post("/contact/form/confirm", data=fields).status_code == 303
    first = reference_on(client)

    client.set_cookie("session", cookie_before_sending)   # the second tap's request left before the answer
    again = client.post("/contact/form/confirm", data=fields)
    assert again.status_code == 303 and again.headers["Location"].endswith("/contact/form/done")
    assert reference_on(client) == first
    assert counts(app) == (1, 1, 2)


def test_a_repeated_post_with_htmx_goes_to_the_same_done_page(app, client):
    fields = confirm_form(client)
    assert client.post("/contact/form/confirm", data=fields, headers=HX).status_code == 200
    first = reference_on(client)
    again = client.post("/contact/form/confirm", data=fields, headers=HX)
    assert json.loads(again.headers["HX-Location"])["path"] == "/contact/form/done"
    assert reference_on(client) == first
    assert counts(app) == (1, 1, 2)


def test_a_key_from_another_visitor_finds_nothing(app, make_app):
    first, second = app.test_client(), app.test_client()
    stolen = confirm_form(first)
    assert first.post("/contact/form/confirm", data=stolen).status_code == 303
    own = confirm_form(second)
    assert own["submission_key"] != stolen["submission_key"]
    second.post("/contact/form/confirm", data={**own, "submission_key": stolen["submission_key"]})
    assert reference_on(second) != reference_on(first)
    assert counts(app) == (2, 2, 4)


def test_a_new_inquiry_after_sending_gets_a_new_key(app, client):
    sent = confirm_form(client)
    client.post("/contact/form/confirm", data=sent)
    assert confirm_form(client)["submission_key"] != sent["submission_key"]
