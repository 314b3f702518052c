"""One person's data by email: `flask subject show|withdraw|erase`. Erasure blanks the inquiries and
their mail, keeps every event, records an `erased` event, and the ledger still verifies."""
from ledger_helpers import fill, grant
from madoguchi.ledger.pseudonyms import subject_key
from models import ConsentEvent, Inquiry, OutboxMail, StaffAction

TARO = "Taro.Yamada@example.jp"


def stored_for(app, email):
    key = subject_key(email, app.config["SUBJECT_KEY"])
    events = list(ConsentEvent.select().where(ConsentEvent.subject_key == key).order_by(ConsentEvent.seq))
    inquiries = list(Inquiry.select().where(Inquiry.subject_key == key).order_by(Inquiry.id))
    return events, inquiries


def test_show_lists_every_event_and_inquiry_of_the_person(app, runner):
    fill(app, 3)
    grant(app, TARO, reference="AMK-20261124-TARO", inquiry=True)
    grant(app, TARO, locale="en", reference="AMK-20261125-TAR2", inquiry=True)
    result = runner.invoke(args=["subject", "show", "  taro.yamada@EXAMPLE.jp "])
    assert result.exit_code == 0
    assert "consent: given; personal data: stored" in result.output
    assert "events (2):" in result.output and "inquiries (2):" in result.output
    assert "AMK-20261124-TARO" in result.output and "AMK-20261125-TAR2" in result.output
    assert "name: 山田 太郎" in result.output and "message: 賞品がまだ届きません。" in result.output
    assert "person1@example.jp" not in result.output


def test_show_of_an_unknown_address_says_so(app, runner):
    fill(app, 2)
    result = runner.invoke(args=["subject", "show", "nobody@example.jp"])
    assert result.exit_code == 0 and "Nothing is stored about this email address." in result.output


def test_withdraw_appends_an_event_and_keeps_the_consent(app, runner):
    grant(app, TARO, reference="AMK-20261124-TARO", inquiry=True)
    result = runner.invoke(args=["subject", "withdraw", TARO])
    assert result.output.strip() == "Withdrawn: event seq 2."
    events, _ = stored_for(app, TARO)
    assert [event.kind for event in events] == ["granted", "withdrawn"]
    assert events[1].policy_version == events[0].policy_version
    again = runner.invoke(args=["subject", "withdraw", TARO])
    assert "withdrawn already" in again.output
    assert "consent: withdrawn" in runner.invoke(args=["subject", "show", TARO]).output
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


def test_erase_asks_first_and_does_nothing_when_told_no(app, runner):
    grant(app, TARO, reference="AMK-20261124-TARO", inquiry=True)
    result = runner.invoke(args=["subject", "erase", TARO], input="n\n")
    assert result.exit_code == 1 and "Erase the personal data of 1 inquiry" in result.output
    assert stored_for(app, TARO)[1][0].name == "山田 太郎"


def test_erase_blanks_personal_data_keeps_the_chain_and_shows_the_erasure(app, runner):
    fill(app, 2)
    grant(app, TARO, reference="AMK-20261124-TARO", inquiry=True)
    grant(app, "hanako@example.jp", reference="AMK-20261124-HANA", inquiry=True)
    result = runner.invoke(args=["subject", "erase", TARO], input="y\n")
    assert result.exit_code == 0
    assert "Erased 1 inquiry and 1 mail(s); event seq 5." in result.output

    events, inquiries = stored_for(app, TARO)
    assert [event.kind for event in events] == ["granted", "erased"]
    erased = inquiries[0]
    assert (erased.name, erased.email, erased.phone, erased.order_number, erased.message) == ("",) * 5
    assert erased.erased_at is not None and erased.reference == "AMK-20261124-TARO"
    mail = OutboxMail.get(OutboxMail.inquiry_reference == "AMK-20261124-TARO")
    assert (mail.to_addr, mail.body, mail.status) == ("", "", "failed")
    other = Inquiry.get(Inquiry.reference == "AMK-20261124-HANA")
    assert other.name == "山田 太郎" and other.email == "hanako@example.jp"
    assert OutboxMail.get(OutboxMail.inquiry_reference == "AMK-20261124-HANA").status == "pending"

    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0 and verified.output.startswith("OK: 5 events")
    shown = runner.invoke(args=["subject", "show", TARO]).output
    assert "personal data: ERASED" in shown and "erased at " in shown and "山田" not in shown
    logged = StaffAction.get(StaffAction.action == "subject_erased")
    assert logged.target == events[0].subject_key and "taro" not in logged.target.lower()
    assert "erased already" in runner.invoke(args=["subject", "erase", TARO, "--yes"]).output
