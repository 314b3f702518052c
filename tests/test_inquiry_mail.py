"""The acknowledgement and the support notification reach a real SMTP server; when SMTP is down
the inquiry is kept and the mail waits in the outbox for `flask outbox send`."""
import email
import re
import time
from datetime import datetime
from email.policy import default

from conftest import free_port
from inquiry_helpers import send_inquiry
from models import Inquiry, OutboxMail, database


def received(sink, count, timeout=10):
    deadline = time.time() + timeout
    while len(sink.messages) < count and time.time() < deadline:
        time.sleep(0.05)
    return [email.message_from_bytes(m.content, policy=default) for m in sink.messages]


def outbox(app):
    with app.app_context(), database.connection_context():
        return list(OutboxMail.select().order_by(OutboxMail.id))


def smtp_app(make_app, port, **overrides):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, **overrides)


def test_acknowledgement_with_reference_and_consent_receipt_reaches_smtp(make_app, smtp_sink):
    app = smtp_app(make_app, smtp_sink.port, OUTBOX_SEND_IMMEDIATELY=True)
    client = app.test_client()
    send_inquiry(client)
    reference = re.search(r"AMK-\d{8}-\w{4}", client.get("/contact/form/done").get_data(as_text=True)).group(0)
    mails = received(smtp_sink, 2)
    ack = next(m for m in mails if m["To"] == "taro.yamada@example.jp")
    body = ack.get_content()
    assert reference in ack["Subject"] and "受け付けました" in ack["Subject"]
    assert "山田 太郎 様" in body and "発送状況を教えてください" in body
    assert "同意の記録(レシート)" in body and "第1版" in body and "/privacy/1" in body
    assert "お問い合わせ対応のため" in body  # a purpose from the policy's section 2
    assert "@anymykuji.com" in body
    notice = next(m for m in mails if m["To"] == "support@anymykuji.com")
    assert reference in notice["Subject"] and "山田" not in notice.get_content()
    assert [mail.status for mail in outbox(app)] == ["sent", "sent"]
    assert all(mail.body == "" and mail.to_addr == "" for mail in outbox(app))


def test_english_customers_get_english_mail(make_app, smtp_sink):
    client = smtp_app(make_app, smtp_sink.port, OUTBOX_SEND_IMMEDIATELY=True).test_client()
    client.get("/language/en")
    send_inquiry(client)
    ack = next(m for m in received(smtp_sink, 2) if m["To"] == "taro.yamada@example.jp")
    assert "We have received your inquiry" in ack["Subject"]
    assert "Receipt of your consent" in ack.get_content()


def test_smtp_down_keeps_the_inquiry_and_the_outbox_retries(make_app, smtp_sink):
    app = smtp_app(make_app, free_port())  # nothing listens there: SMTP is down
    client, runner = app.test_client(), app.test_cli_runner()
    assert send_inquiry(client).status_code == 303
    assert "AMK-" in client.get("/contact/form/done").get_data(as_text=True)

    result = runner.invoke(args=["outbox", "send"])
    assert "sent 0, will retry 2" in result.output
    assert [(m.status, m.attempts) for m in outbox(app)] == [("pending", 1), ("pending", 1)]
    with app.app_context(), database.connection_context():
        assert Inquiry.select().count() == 1

    assert "sent 0, will retry 0" in runner.invoke(args=["outbox", "send"]).output  # not due yet
    runner = smtp_app(make_app, smtp_sink.port).test_cli_runner()  # SMTP is back
    assert "sent 2" in runner.invoke(args=["outbox", "send", "--all"]).output
    assert len(received(smtp_sink, 2)) == 2
    assert "pending 0, sent 2, failed 0" in runner.invoke(args=["outbox", "status"]).output


def test_without_smtp_server_mail_goes_to_the_local_sink(app, client, runner, tmp_path):
    send_inquiry(client)
    runner.invoke(args=["outbox", "send"])
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert "AMK-" in email.message_from_bytes(files[0].read_bytes(), policy=default)["Subject"]


def test_mail_left_unwritten_by_a_crash_after_the_commit_is_written_and_sent_by_outbox_send(
        make_app, smtp_sink):
    """The inquiry's transaction only queues its mails; if the process dies before composing them,
    `flask outbox send` composes and delivers them, in the customer's language."""
    from inquiry_helpers import GOOD_ANSWERS
    from madoguchi.business_calendar import BusinessCalendar
    from madoguchi.inquiries.store import submit as inquiries

    app = smtp_app(make_app, smtp_sink.port)
    consent = {"version": "1", "locale": "en", "sha256": "0" * 64}
    with app.app_context(), database.connection_context():
        inquiry, _stored_now = inquiries.submit_once(
            "key-1", GOOD_ANSWERS, consent, client_address="203.0.113.7",
            received_at=datetime(2026, 11, 24, 4, 0), calendar=BusinessCalendar(),
            support_inbox="support@anymykuji.com", subject_secret="s", ledger_key="k")
    queued = outbox(app)
    assert [(mail.kind, mail.subject, mail.body) for mail in queued] == [
        ("acknowledgement", "", ""), ("support_notification", "", "")]
    assert Inquiry.get(Inquiry.reference == inquiry.reference).consent_seq == 1
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    mails = received(smtp_sink, 2)
    ack = next(m for m in mails if m["To"] == "taro.yamada@example.jp")
    assert inquiry.reference in ack["Subject"] and "We have received your inquiry" in ack["Subject"]
    assert "山田 太郎" in ack.get_content()
    assert [mail.status for mail in outbox(app)] == ["sent", "sent"]
