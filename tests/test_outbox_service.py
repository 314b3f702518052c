"""Mail exactly once, whatever runs: the site under gunicorn with several workers (each with its
background sender) and `flask outbox send` processes beside it, customers over real HTTP, and a real
SMTP server that records, refuses or hangs."""
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import running_smtp_sink
from http_customer import Customer
from servers import REPO, running_site
from test_outbox_senders import (
    ScriptedHandler,
    hanging_smtp_server,
    message_of,
    running_server,
)

SUPPORT_PASSWORD = "support staff password"


def wait_for(condition, timeout=60, step=0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(step)


def journeys(site, count):
    with ThreadPoolExecutor(max_workers=count) as customers:
        references = list(customers.map(lambda _: Customer(site.base_url).journey(), range(count)))
    assert None not in references and len(set(references)) == count
    return references


def sqlite_rows(database_url, columns):
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(f"SELECT {columns} FROM outbox_mail ORDER BY id").fetchall()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/site.sqlite3"
    return request.getfixturevalue("postgres_cluster").fresh_database("outbox_exactly_once")


def test_forty_concurrent_journeys_each_mail_arrives_exactly_once(tmp_path, database_url):
    """4 workers deliver in the background while two `outbox send --loop` processes run too."""
    with running_smtp_sink() as sink, running_site(
            tmp_path, database_url, workers=4, MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port,
            OUTBOX_SEND_IMMEDIATELY=1) as site:
        senders = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox", "send",
                                     "--loop", "1"], cwd=REPO, env=site.env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(2)]
        try:
            references = journeys(site, 40)
            wait_for(lambda: len(sink.messages) >= 80)
            time.sleep(1.5)                       # time enough for any second copy to arrive
        finally:
            for sender in senders:
                sender.terminate()
                sender.wait(timeout=30)
        status = site.flask("outbox", "status").stdout
    received = Counter(message_of(envelope)["Message-ID"] for envelope in sink.messages)
    assert len(sink.messages) == 80 and set(received.values()) == {1}
    assert Counter(message_id.split(".")[1].split("@")[0] for message_id in received) == \
        dict.fromkeys(references, 2)             # an acknowledgement and a notification each
    assert status.startswith("pending 0, sent 80, failed 0, undeliverable 0")


def sign_in_support(site):
    site.flask("users", "create", "--role", "support", "--email", "support@example.com",
               extra_env={"MADOGUCHI_PASSWORD": SUPPORT_PASSWORD})
    staff = Customer(site.base_url)
    _page, hidden = staff.form_fields("/staff/login")
    signed_in = staff.post("/staff/login", {**hidden, "email": "support@example.com",
                                            "password": SUPPORT_PASSWORD})
    assert signed_in.status == 200 and "/staff/login" not in signed_in.url
    return staff


def test_a_refused_acknowledgement_is_undeliverable_shown_to_support_and_not_retried(tmp_path):
    refusing = ScriptedHandler(rcpt=["550 5.1.1 <taro.yamada@example.jp>: No such user"])
    database_url = f"sqlite:///{tmp_path}/site.sqlite3"
    with running_server(refusing) as port, running_site(
            tmp_path, database_url, workers=2, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
            OUTBOX_SEND_IMMEDIATELY=1) as site:
        [reference] = journeys(site, 1)
        wait_for(lambda: sorted(sqlite_rows(database_url, "status")) == [("sent",), ("undeliverable",)])
        assert [message_of(envelope)["To"] for envelope in refusing.messages] == ["support@anymykuji.com"]

        page = sign_in_support(site).get(f"/staff/support/inquiries/{reference}").text
        assert "受付確認メールをこのアドレスにお届けできませんでした" in page
        assert "SMTPRecipientsRefused 550" in page and "taro.yamada@example.jp" in page

        assert refusing.customer_rcpts == 1
        assert "sent 0, will retry 0, gave up 0, undeliverable 0" in site.flask("outbox", "send", "--all").stdout
        assert refusing.customer_rcpts == 1       # refused for good: not asked again
        status = site.flask("outbox", "status").stdout
    assert "undeliverable 1" in status and f"undeliverable: {reference} acknowledgement" in status


def worker_threads(master_pid):
    """{worker pid: number of its threads}, read from /proc."""
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as children:
        workers = [int(pid) for pid in children.read().split()]
    return {pid: len(os.listdir(f"/proc/{pid}/task")) for pid in workers}


def test_a_hung_smtp_server_costs_one_thread_and_a_timeout_and_the_mail_goes_out_later(tmp_path):
    database_url = f"sqlite:///{tmp_path}/site.sqlite3"
    with hanging_smtp_server() as hung_port, running_site(
            tmp_path, database_url, workers=1, THREADS=2, MAIL_SERVER="127.0.0.1",
            MAIL_PORT=hung_port, MAIL_TIMEOUT=0.5, OUTBOX_SEND_IMMEDIATELY=1,
            RATELIMIT_ENABLED=0) as site:   # its memory store starts a 10 ms timer thread per count
        with ThreadPoolExecutor(4) as browsers:       # every request thread of the worker started
            list(browsers.map(lambda _: Customer(site.base_url).get("/contact"), range(8)))
        [idle_threads] = worker_threads(site.process.pid).values()
        most_threads, watching = [idle_threads], threading.Event()

        def watch():
            while not watching.wait(0.05):
                most_threads.append(max(worker_threads(site.process.pid).values()))
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            references = journeys(site, 5)
            assert Customer(site.base_url).get("/contact").status == 200   # the site still answers
            wait_for(lambda: all(attempts == 1 and claim is None for attempts, claim in
                                 sqlite_rows(database_url, "attempts, claimed_until")), timeout=30)
        finally:
            watching.set()
            watcher.join()
        assert max(most_threads) <= idle_threads + 1, (idle_threads, most_threads)
        rows = sqlite_rows(database_url, "status, last_error")
        assert len(rows) == 10 and {status for status, _error in rows} == {"pending"}
        assert {error for _status, error in rows} <= {"SMTPServerDisconnected", "TimeoutError"}

        with running_smtp_sink() as sink:             # SMTP works again: the scheduled retrier sends
            retried = site.flask("outbox", "send", "--all", extra_env={"MAIL_PORT": str(sink.port)})
            time.sleep(0.3)
    assert "sent 10, will retry 0" in retried.stdout
    received = Counter(message_of(envelope)["Message-ID"] for envelope in sink.messages)
    assert len(received) == 10 and set(received.values()) == {1}
    assert {message_id.split(".")[1].split("@")[0] for message_id in received} == set(references)
