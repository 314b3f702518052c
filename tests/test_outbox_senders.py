"""Senders of the outbox against real SMTP servers (aiosmtpd) that refuse, stall or answer slowly:
permanent refusals are not retried, every attempt carries the same Message-ID, a killed sender's
claimed mail goes out after the lease and only once, a hung server never holds a sender for long,
and the background sender stays one thread however often it is woken."""
import asyncio
import email
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from conftest import free_port
from inquiry_helpers import send_inquiry
from servers import REPO, site_environment

from madoguchi.outbox import store as outbox
from madoguchi.outbox import transport
from madoguchi.outbox.background import THREAD_NAME, BackgroundSender
from models import OutboxMail, database

CUSTOMER = "taro.yamada@example.jp"


class ScriptedHandler:
    """An SMTP server whose answers to MAIL FROM, RCPT TO (for the customer) and DATA are given
    as lists, one answer per attempt (the last repeats); it records each message it accepts."""

    def __init__(self, mail=("250 OK",), rcpt=("250 OK",), data=("250 OK",), data_seconds=0.0):
        self.answers = {"MAIL": list(mail), "RCPT": list(rcpt), "DATA": list(data)}
        self.data_seconds, self.data_started = data_seconds, threading.Event()
        self.messages, self.message_ids_seen, self.customer_rcpts = [], [], 0

    def answer(self, command):
        answers = self.answers[command]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        envelope.mail_from = address
        return self.answer("MAIL")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = "250 OK"
        if address == CUSTOMER:
            self.customer_rcpts += 1
            reply = self.answer("RCPT")
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        self.message_ids_seen.append(message_of(envelope)["Message-ID"])
        self.data_started.set()
        await asyncio.sleep(self.data_seconds)
        reply = self.answer("DATA")
        if reply.startswith("250") and server.transport is not None and not server.transport.is_closing():
            self.messages.append(envelope)   # recorded only when the 250 can reach the sender
        return reply


@contextmanager
def running_server(handler, **options):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def message_of(envelope):
    return email.message_from_bytes(envelope.content, policy=default)


def outbox_rows(app):
    with app.app_context(), database.connection_context():
        return list(OutboxMail.select().order_by(OutboxMail.id))


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["outbox", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("refusal, refused", [({"rcpt": ["550 5.1.1 No such user"]}, 1),
                                              ({"data": ["554 5.7.1 Message rejected"]}, 2),
                                              ({"mail": ["553 5.7.1 Sender not allowed"]}, 2)])
def test_a_permanent_refusal_marks_the_mail_undeliverable_at_once_and_it_is_not_retried(
        make_app, refusal, refused):
    handler = ScriptedHandler(**refusal)
    with running_server(handler) as port:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        send_inquiry(app.test_client())
        run(app, "send")
        tried = len(handler.message_ids_seen)
        assert "undeliverable 0" in run(app, "send", "--all")   # nothing left to try
        assert len(handler.message_ids_seen) == tried
    acknowledgement = next(row for row in outbox_rows(app) if row.kind == "acknowledgement")
    assert acknowledgement.status == "undeliverable" and acknowledgement.attempts == 1
    assert re.fullmatch(r"SMTP\w+Refused 55\d|SMTPDataError 554", acknowledgement.last_error)
    assert acknowledgement.to_addr == "" and acknowledgement.body == ""
    status = run(app, "status")
    assert f"undeliverable {refused}" in status and f"undeliverable: {acknowledgement.inquiry_reference}" in status


def test_a_temporary_refusal_is_retried_with_the_same_message_id(make_app):
    """450 at RCPT, then 451 at DATA, then accepted: three attempts of one mail, one Message-ID."""
    handler = ScriptedHandler(rcpt=["450 4.2.1 Mailbox busy", "250 OK"],
                              data=["250 OK", "451 4.3.0 Try later", "250 OK"])
    with running_server(handler) as port:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        send_inquiry(app.test_client())
        assert "sent 1, will retry 1" in run(app, "send")          # the support notification went
        assert "sent 0, will retry 1" in run(app, "send", "--all")  # 451 at DATA
        assert "sent 1, will retry 0" in run(app, "send", "--all")
    row = next(row for row in outbox_rows(app) if row.kind == "acknowledgement")
    expected = transport.message_id(row.id, row.inquiry_reference, app.config["MAIL_DEFAULT_SENDER"])
    assert re.fullmatch(r"<outbox-\d+\.AMK-\d{8}-\w{4,}@anymykuji\.com>", expected)
    received = [message_of(envelope) for envelope in handler.messages]
    assert [m["Message-ID"] for m in received if m["To"] == CUSTOMER] == [expected]
    assert handler.message_ids_seen.count(expected) == 2     # DATA reached twice, same id
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert len({m["Message-ID"] for m in received}) == 2


def test_mail_written_to_the_folder_has_the_same_message_id(app, tmp_path):
    send_inquiry(app.test_client())
    run(app, "send")
    rows = outbox_rows(app)
    for row in rows:
        written = email.message_from_bytes((tmp_path / "mail" / f"{row.id:08d}.eml").read_bytes(),
                                           policy=default)
        assert written["Message-ID"] == transport.message_id(row.id, row.inquiry_reference,
                                                             app.config["MAIL_DEFAULT_SENDER"])


def test_starttls_and_sign_in_still_work(make_app, tmp_path):
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", certificate],
                   check=True, capture_output=True)
    import ssl
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(certificate, key)
    signed_in = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        signed_in.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    handler = ScriptedHandler()
    with running_server(handler, tls_context=tls, require_starttls=True,
                        authenticator=authenticator) as port:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=True,
                       MAIL_USERNAME="madoguchi", MAIL_PASSWORD="s3cret")
        send_inquiry(app.test_client())
        assert "sent 2" in run(app, "send")
    assert signed_in == [(b"madoguchi", b"s3cret")]   # one connection for both mails
    assert len(handler.messages) == 2


@contextmanager
def hanging_smtp_server():
    """Accepts connections (the kernel completes them) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def test_outbox_send_gives_up_on_a_hung_server_after_the_timeout(make_app, tmp_path):
    with hanging_smtp_server() as port:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        send_inquiry(app.test_client())
        env = site_environment(tmp_path, app.config["DATABASE_URL"], MAIL_SERVER="127.0.0.1",
                               MAIL_PORT=port, MAIL_TIMEOUT=0.5)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "outbox", "send"],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=30, check=False)
        assert time.monotonic() - started < 10, "outbox send waited far longer than MAIL_TIMEOUT"
    assert "sent 0, will retry 2" in result.stdout, result.stdout + result.stderr
    assert all(row.status == "pending" and row.claimed_until is None for row in outbox_rows(app))


def test_a_sender_killed_mid_batch_leaves_its_claimed_mail_to_others_after_the_lease(make_app, tmp_path):
    handler = ScriptedHandler(data_seconds=0.3)
    with running_server(handler) as port:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, OUTBOX_LEASE_SECONDS=2)
        with app.app_context(), database.connection_context():
            for number in range(8):
                outbox.queue(to=f"customer{number}@example.jp", subject=f"mail {number}", body="本文",
                             inquiry_reference=f"AMK-20260101-{number:04d}")
        env = site_environment(tmp_path, app.config["DATABASE_URL"], MAIL_SERVER="127.0.0.1",
                               MAIL_PORT=port, OUTBOX_LEASE_SECONDS=2)
        sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox", "send"],
                                  cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while len(handler.messages) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            handler.data_started.clear()
            assert handler.data_started.wait(10)       # the 4th mail's DATA is under way
        finally:
            os.kill(sender.pid, signal.SIGKILL)
            sender.wait()
        claimed = [row for row in outbox_rows(app) if row.status == "pending" and row.claimed_until]
        assert len(claimed) == 1                       # one mail at a time: the kill lost one claim

        assert f"sent {8 - len(handler.messages) - 1}," in run(app, "send")   # all but the claimed one
        assert [row.status for row in outbox_rows(app) if row.id == claimed[0].id] == ["pending"]
        time.sleep(2.2)                                 # the lease ends
        assert "sent 1," in run(app, "send")
        time.sleep(0.5)
    received = Counter(message_of(envelope)["Message-ID"] for envelope in handler.messages)
    assert len(received) == 8 and set(received.values()) == {1}
    assert {row.status for row in outbox_rows(app)} == {"sent"}


def test_the_background_sender_is_one_thread_however_often_it_is_woken():
    runs, threads = [], set()

    def deliver():
        threads.add(threading.current_thread())
        runs.append(time.monotonic())
        time.sleep(0.05)

    sender = BackgroundSender(deliver, idle_seconds=0.3)
    for _ in range(200):
        sender.wake()
        time.sleep(0.001)
    time.sleep(0.2)
    assert 1 <= len(runs) < 10 and len(threads) == 1
    assert [thread.name for thread in threads] == [THREAD_NAME]
    time.sleep(0.5)
    assert sender._thread is None                         # idle: the thread ended
    sender.wake()
    time.sleep(0.2)
    assert len(runs) >= 2                                 # and a wake-up starts it again
