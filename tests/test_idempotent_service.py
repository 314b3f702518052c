"""Idempotent sending against the real server (gunicorn, 4 workers), over HTTP: two identical
confirm posts at once, and a double tap without JavaScript, each store one inquiry and one consent
event, and every answer shows the same reference."""
import http.cookiejar
import sqlite3
import threading
import urllib.request

import pytest

from http_customer import Customer, reference_on
from servers import running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("idempotent")
    database_file = folder / "site.sqlite3"
    with running_site(folder, f"sqlite:///{database_file}", workers=4, OUTBOX_SEND_IMMEDIATELY=0) as running:
        running.database_file = database_file
        yield running


def stored_for(site, reference):
    """(inquiries, consent events) the database holds for this reference."""
    with sqlite3.connect(site.database_file) as connection:
        return (connection.execute("SELECT count(*) FROM inquiry WHERE reference = ?", (reference,)).fetchone()[0],
                connection.execute("SELECT count(*) FROM consent_event WHERE inquiry_ref = ?",
                                   (reference,)).fetchone()[0])


def at_confirm(site):
    customer = Customer(site.base_url)
    customer.agree()
    customer.fill_details()
    return customer, customer.confirm_fields()


def with_the_same_cookies(customer, site):
    """A second customer object holding a copy of `customer`'s cookies as they are now: the
    request a browser sends on a second tap, before the first answer has arrived."""
    twin = Customer(site.base_url)
    jar = next(handler.cookiejar for handler in customer.opener.handlers
               if isinstance(handler, urllib.request.HTTPCookieProcessor))
    twin_jar = http.cookiejar.CookieJar()
    for cookie in jar:
        twin_jar.set_cookie(cookie)
    twin.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(twin_jar))
    return twin


def test_two_identical_confirm_posts_at_once_store_one_inquiry(site):
    for _round in range(3):
        customer, fields = at_confirm(site)
        twin = with_the_same_cookies(customer, site)
        together = threading.Barrier(2)
        answers = {}

        def send(who):
            together.wait()
            answers[who] = who.send(fields)

        threads = [threading.Thread(target=send, args=(who,)) for who in (customer, twin)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        references = {reference_on(answer.text) for answer in answers.values()}
        assert [answer.status for answer in answers.values()] == [200, 200]
        assert len(references) == 1 and None not in references
        assert stored_for(site, references.pop()) == (1, 1)


def test_a_double_tap_without_javascript_lands_on_the_done_page(site):
    customer, fields = at_confirm(site)
    second_tap = with_the_same_cookies(customer, site)
    first = customer.send(fields)
    again = second_tap.send(fields)
    assert again.status == 200 and again.url.endswith("/contact/form/done")
    assert reference_on(again.text) == reference_on(first.text) is not None
    assert stored_for(site, reference_on(first.text)) == (1, 1)
