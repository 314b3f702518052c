"""Filling the consent ledger in tests the way the site does: a `granted` event per inquiry, each
appended on its own (with its own signed checkpoint), optionally with the inquiry and its mail."""
import sqlite3

import models
from madoguchi.clock import utcnow
from madoguchi.ledger import canonical
from madoguchi.ledger.pseudonyms import subject_key
from madoguchi.ledger.store import consent_ledger
from madoguchi.outbox import store as outbox
from madoguchi.policy import revisions
from madoguchi.policy.store import versions as policy_store
from models import Inquiry


def grant(app, email="taro.yamada@example.jp", locale="ja", reference="", inquiry=False):
    """Append one `granted` event for `email` (and store its inquiry and mail if asked)."""
    version = policy_store.current_version()
    with consent_ledger.writing():
        event = consent_ledger.append(
            kind="granted", subject_key=subject_key(email, app.config["SUBJECT_KEY"]),
            policy_version=version.label, policy_sha256=revisions.sha256_for(version, locale),
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


def append_in_another_process(database_url, ledger_key, count, worker):
    """Run in a fresh (spawned) process: its own connection, appending one event at a time."""
    models.database.initialize(models.open_database(database_url))
    version = policy_store.current_version()
    for n in range(count):
        consent_ledger.append(
            kind="granted", subject_key=f"{worker:032x}{n:032x}", policy_version=version.label,
            policy_sha256=version.sha256_ja, locale="ja", method="web_form_checkbox",
            inquiry_ref=f"AMK-W{worker}-{n}", ledger_key=ledger_key)
    models.database.close()


def run_writers(database_url, ledger_key, writers, count):
    """`writers` spawned processes appending `count` events each, all at once."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    models.database.close()
    processes = [context.Process(target=append_in_another_process,
                                 args=(database_url, ledger_key, count, worker))
                 for worker in range(writers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    return [process.exitcode for process in processes]


# Awkward values for the canonical serialisation: non-ASCII, quotes, backslashes and printf's own
# "%s" in a policy label; empty and non-ASCII optional values.
AWKWARD_VALUES = [("２０２６年１２月版", "", ""),
                  ("v2 50% 'off' \\ \"%s\"", "2001:db8:1234::/48", "AMK-20261124-ÄÖ")]


def store_awkward_events(seqs):
    """Store events with AWKWARD_VALUES at the given (large) seqs straight into the table, as
    stored values to serialise, not as a chain; returns each event's fields in FIELDS order."""
    stored = []
    for n, seq in enumerate(seqs):
        label, ip, reference = AWKWARD_VALUES[n % len(AWKWARD_VALUES)]
        fields = dict(seq=seq, kind=canonical.KINDS[n % 3],
                      occurred_at="2026-11-24T01:02:03.000004Z", subject_key=f"{n:064x}",
                      policy_version=label, policy_sha256="c" * 64, locale="ja",
                      method="web_form_checkbox", ip_truncated=ip, inquiry_ref=reference,
                      prev_hash="d" * 64)
        models.ConsentEvent.insert(**fields, hash=f"{seq:064x}").execute()
        stored.append(tuple(fields[name] for name in canonical.FIELDS))
    return stored


def canonical_built_by_the_database(seq):
    """The canonical bytes of a stored event as the database builds them for verify."""
    canonical, params = consent_ledger.canonical_sql()
    mark = models.database.param
    text = models.database.execute_sql(f"SELECT {canonical} FROM consent_event WHERE seq = {mark}",
                                       [*params, seq]).fetchone()[0]
    return text.encode("utf-8")
