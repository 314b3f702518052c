"""A database outage under the real server (gunicorn, 4 workers, pooled PostgreSQL): while
PostgreSQL is stopped customers get 503 pages with Retry-After in their language, never a bare
500 or gunicorn's "Internal Server Error"; when it is back the site serves again without a restart,
and the customer who was sending gets their reference."""
import time

import pytest

from http_customer import Customer, reference_on
from servers import running_site

pytestmark = pytest.mark.postgres

UNAVAILABLE = {"ja": "ただいまサービスを一時的にご利用いただけません", "en": "The service is temporarily unavailable"}


def assert_unavailable(answer, lang):
    assert answer.status == 503, answer.text[:300]
    assert int(answer.headers["Retry-After"]) > 0
    assert UNAVAILABLE[lang] in answer.text and "Internal Server Error" not in answer.text


def test_a_stopped_database_gives_503_pages_and_the_site_recovers(postgres_cluster, tmp_path):
    url = postgres_cluster.fresh_database("outage")
    with running_site(tmp_path, url, workers=4, OUTBOX_SEND_IMMEDIATELY=0, LEDGER_LOCK_TIMEOUT=2) as site:
        customers = {lang: Customer(site.base_url, language=lang) for lang in ("ja", "en")}
        for customer in customers.values():
            customer.agree()
            for _ in range(4):                   # every worker's pool holds connections now
                customer.fill_details()
        sending = customers["ja"]
        fields = sending.confirm_fields()

        postgres_cluster.stop()
        try:
            for lang, customer in customers.items():
                for _ in range(4):               # the saved answers are read from the database
                    assert_unavailable(customer.get("/contact/form/details"), lang)
            assert_unavailable(sending.send(fields), "ja")
            assert customers["en"].get("/contact").status == 200   # the notice alone is left out
        finally:
            postgres_cluster.start()

        done = sending.send(fields)
        for _ in range(20):      # the first requests after the restart may still meet old connections
            if done.status == 200:
                break
            assert_unavailable(done, "ja")
            time.sleep(0.25)
            done = sending.send(fields)
        assert done.status == 200 and reference_on(done.text)
        for customer in customers.values():
            assert all(customer.get("/contact/form/details").status == 200 for _ in range(8))
        assert "Traceback" not in site.log()
