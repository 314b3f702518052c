"""The inquiry limits under gunicorn with 2 workers, counted in a real Redis that both share:
customers over HTTP from one address, the one over the limit gets 429 with Retry-After and nothing
is stored for it; Redis keeps no address in its keys. When Redis stops, sending goes on and each
worker counts in its own memory (a warning in the log), so the limit still holds per worker."""
import sqlite3

import pytest
import redis

from http_customer import Customer
from inquiry_helpers import GOOD_ANSWERS
from servers import running_redis, running_site

LIMIT = 3


@pytest.fixture
def redis_url():
    with running_redis() as url:
        if url is None:
            pytest.skip("redis-server is not installed (scripts/install-test-deps installs it)")
        yield url


def stored(database_file):
    with sqlite3.connect(database_file) as connection:
        return tuple(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("inquiry", "consent_event", "outbox_mail"))


def send(site, n):
    """A new customer (browser) from the same address sends inquiry n; the confirm post's answer."""
    customer = Customer(site.base_url, language="en")
    email = f"person{n}@example.jp"
    customer.agree()
    customer.fill_details(dict(GOOD_ANSWERS, email=email, email_confirm=email))
    return customer.send()


def test_two_workers_share_the_inquiry_limit_through_redis(tmp_path, redis_url):
    database_file = tmp_path / "site.sqlite3"
    with running_site(tmp_path, f"sqlite:///{database_file}", workers=2, OUTBOX_SEND_IMMEDIATELY=0,
                      RATELIMIT_STORAGE_URI=redis_url, INQUIRY_LIMIT_PER_CLIENT=f"{LIMIT} per hour") as site:
        for n in range(LIMIT):
            assert send(site, n).status == 200
        refused = send(site, LIMIT)
        assert refused.status == 429
        assert 3500 < int(refused.headers["Retry-After"]) <= 3600
        assert "Your inquiry has not been sent." in refused.text
        assert stored(database_file) == (LIMIT, LIMIT, 2 * LIMIT)

        keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
        assert keys and all("LIMITER/madoguchi/" in key for key in keys)
        assert not any("127.0.0.1" in key or "example" in key for key in keys)

        # Redis goes away: no error page, each worker counts for itself from now on (at most
        # LIMIT each), so among 2 × LIMIT + 1 more inquiries at least one is refused.
        redis.Redis.from_url(redis_url).shutdown(nosave=True)
        answers = [send(site, LIMIT + 1 + n).status for n in range(2 * LIMIT + 1)]
        assert answers[0] == 200 and set(answers) == {200, 429}
        assert stored(database_file)[0] == LIMIT + answers.count(200)
        assert "falling back to in-memory storage" in site.log()
