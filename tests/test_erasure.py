"""Erasure is complete, and what the instance folder holds is the owner's alone.

`flask subject erase` also deletes the local mail sink's copies of the person's mails; the SQLite
database (with its -wal and -shm), the mail sink and its .eml files are created 0600 / 0700 (the
tests run as root, but the modes are set all the same); support sees where the consent stands."""
import email
import os
import stat
from email.policy import default

from conftest import sign_in_staff
from inquiry_helpers import GOOD_ANSWERS, send_inquiry
from madoguchi import settings
from madoguchi.clock import in_tokyo
from madoguchi.ledger.canonical import event_time
from madoguchi.outbox import sink as mail_sink
from models import ConsentEvent, Inquiry, OutboxMail, database

TARO = GOOD_ANSWERS
HANAKO = {**GOOD_ANSWERS, "name": "佐藤 花子", "email": "hanako.sato@example.jp",
          "email_confirm": "hanako.sato@example.jp", "message": "抽選の結果はいつ届きますか。"}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def sink_texts(folder):
    """Each .eml file of the sink as readable text: its headers and decoded body."""
    texts = {}
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        texts[path.name] = "\n".join(f"{k}: {v}" for k, v in message.items()) + message.get_content()
    return texts


def mentions(text, person):
    return any(value in text for value in (person["name"], person["email"], person["message"].split("\n")[0]))


def test_erase_deletes_the_mail_sinks_copies_of_that_person_only(app, runner, tmp_path):
    for person in (TARO, HANAKO):
        send_inquiry(app.test_client(), person)
    assert runner.invoke(args=["outbox", "send", "--all"]).exit_code == 0
    sink = tmp_path / "mail"
    written = sink_texts(sink)
    assert len(written) == 4                    # an acknowledgement and a notification each
    assert any(mentions(text, TARO) for text in written.values())
    assert mode(sink) == 0o700 and all(mode(path) == 0o600 for path in sink.glob("*.eml"))

    result = runner.invoke(args=["subject", "erase", TARO["email"], "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 .eml file(s) from the mail sink." in result.output

    left = sink_texts(sink)
    assert len(left) == 2
    assert not any(mentions(text, TARO) for text in left.values())
    assert any(mentions(text, HANAKO) for text in left.values())
    with app.app_context(), database.connection_context():
        hanako = Inquiry.get(Inquiry.email == HANAKO["email"])
        assert sorted(left) == sorted(mail_sink.file_name(mail.id) for mail in OutboxMail.select()
                                      .where(OutboxMail.inquiry_reference == hanako.reference))


def test_erasing_again_removes_copies_an_earlier_erasure_left(app, runner, tmp_path):
    send_inquiry(app.test_client(), TARO)
    assert runner.invoke(args=["subject", "erase", TARO["email"], "--yes"]).exit_code == 0
    with app.app_context(), database.connection_context():
        mail_ids = [mail.id for mail in OutboxMail.select()]
    for mail_id in mail_ids:                    # as an earlier release left them behind
        mail_sink.write(str(tmp_path / "mail"), mail_id, b"To: taro.yamada@example.jp\r\n\r\n")
    again = runner.invoke(args=["subject", "erase", TARO["email"], "--yes"])
    assert "erased already" in again.output and "Deleted 2 .eml file(s)" in again.output
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_a_new_sqlite_database_and_its_wal_are_private(make_app, tmp_path):
    database_file = tmp_path / "fresh" / "madoguchi.sqlite3"
    database_file.parent.mkdir()
    app = make_app(DATABASE_URL=f"sqlite:///{database_file}", AUTO_INIT_DB=True)
    send_inquiry(app.test_client())             # writes through WAL: -wal and -shm exist now
    for suffix in ("", "-wal", "-shm"):
        path = f"{database_file}{suffix}"
        assert os.path.exists(path) and mode(path) == 0o600, suffix
    app.extensions["database"].close_all()


def test_private_folders_and_files_are_made_for_the_owner_alone(tmp_path):
    settings.private_folder(str(tmp_path / "instance"))
    assert mode(tmp_path / "instance") == 0o700
    settings.private_file(str(tmp_path / "instance" / "db"))
    assert mode(tmp_path / "instance" / "db") == 0o600
    mail_sink.write(str(tmp_path), 0, b"new")
    assert mode(tmp_path / mail_sink.file_name(0)) == 0o600
    (tmp_path / mail_sink.file_name(0)).chmod(0o644)      # as an earlier release wrote it
    mail_sink.write(str(tmp_path), 0, b"again")             # a retry writes it again
    assert mode(tmp_path / mail_sink.file_name(0)) == 0o600
    assert (tmp_path / mail_sink.file_name(0)).read_bytes() == b"again"


def consent_section(client, reference):
    page = client.get(f"/staff/support/inquiries/{reference}").get_data(as_text=True)
    return page[page.index("Consent to the privacy policy"):]


def shown_time(event):
    return in_tokyo(event_time(event.occurred_at)).strftime("%Y-%m-%d %H:%M")


def test_support_sees_a_withdrawal_and_an_erasure_with_their_times(app, runner):
    send_inquiry(app.test_client(), TARO)
    client = app.test_client()
    client.set_cookie("lang", "en")
    sign_in_staff(app, client, "support")
    with app.app_context(), database.connection_context():
        reference = Inquiry.get().reference
    assert "<dt>Consent now</dt><dd><strong>Granted</strong>" in consent_section(client, reference)

    assert runner.invoke(args=["subject", "withdraw", TARO["email"]]).exit_code == 0
    with app.app_context(), database.connection_context():
        withdrawn = ConsentEvent.get(ConsentEvent.kind == "withdrawn")
    shown = consent_section(client, reference)
    assert f"<dt>Withdrawn</dt><dd>{shown_time(withdrawn)} (Japan time) (No. {withdrawn.seq})" in shown
    assert "<dt>Consent now</dt><dd><strong>Withdrawn</strong>" in shown

    assert runner.invoke(args=["subject", "erase", TARO["email"], "--yes"]).exit_code == 0
    with app.app_context(), database.connection_context():
        erased = ConsentEvent.get(ConsentEvent.kind == "erased")
    shown = consent_section(client, reference)
    assert f"<dt>Withdrawn</dt><dd>{shown_time(withdrawn)}" in shown
    assert f"<dt>Erased</dt><dd>{shown_time(erased)} (Japan time) (No. {erased.seq})" in shown
    assert "<dt>Consent now</dt><dd><strong>Erased</strong>" in shown
