"""Filling the consent ledger in tests the way the site does: a `granted` event per inquiry, each
appended on its own (with its own signed checkpoint), optionally with the inquiry and its mail."""
import sqlite3

from madoguchi import consent_ledger, outbox, policy_store
from madoguchi.subjects import subject_key
from models import Inquiry, utcnow


def grant(app, email="taro.yamada@example.jp", locale="ja", reference="", inquiry=False):
    """Append one `granted` event for `email` (and store its inquiry and mail if asked)."""
    version = policy_store.current_version()
    with consent_ledger.writing():
        event = consent_ledger.append(
            kind="granted", subject_key=subject_key(email, app.config["SUBJECT_KEY"]),
            policy_version=version.label, policy_sha256=policy_store.sha256_for(version, locale),
            locale=locale, method="web_form_checkbox", ip_truncated="203.0.113.0/24",
            inquiry_ref=reference, ledger_key=app.config["LEDGER_KEY"])
        if inquiry:
            Inquiry.create(reference=reference, locale=locale, category="prizes", name="山田 太郎",
                           email=email, phone="090-1234-5678", order_number="A-10023",
                           message="賞品がまだ届きません。", subject_key=event.subject_key,
                           consent_seq=event.seq, reply_due_at=utcnow())
            outbox.queue(to=email, subject="受付", body="山田 太郎 様\n賞品がまだ届きません。",
                         inquiry_reference=reference)
    return event


def fill(app, count):
    """`count` granted events of different people; returns them."""
    return [grant(app, f"person{n}@example.jp", locale="en" if n % 3 == 0 else "ja",
                  reference=f"AMK-20261124-{n:04d}") for n in range(1, count + 1)]


def database_file(app):
    return app.config["DATABASE_URL"].removeprefix("sqlite:///")


def tamper(app, *statements, drop_triggers=True):
    """Change the SQLite file behind the app's back, as someone with the file would."""
    connection = sqlite3.connect(database_file(app))
    try:
        if drop_triggers:
            triggers = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
            for (name,) in triggers:
                connection.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            if isinstance(statement, tuple):
                connection.execute(*statement)
            else:
                connection.execute(statement)
        connection.commit()
    finally:
        connection.close()
