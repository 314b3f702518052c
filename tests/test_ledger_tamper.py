"""Someone with the SQLite file changes the ledger behind the app's back; `flask ledger verify`
exits 1 naming the first damaged seq and what was done. Raw UPDATE and DELETE without dropping the
triggers fail with the triggers' message."""
import hashlib
import sqlite3

import pytest

from ledger_helpers import database_file, fill, tamper
from madoguchi.ledger import canonical

EVENT_COLUMNS = ", ".join(canonical.FIELDS + ("hash",))


@pytest.fixture
def ledger(app):
    """Ten events, each appended on its own with its own signed checkpoint."""
    return fill(app, 10)


def verify(runner):
    result = runner.invoke(args=["ledger", "verify"])
    return result.exit_code, result.output.strip()


def test_a_whole_ledger_verifies(runner, ledger):
    code, output = verify(runner)
    assert code == 0
    assert output == f"OK: 10 events, head seq 10, head hash {ledger[-1].hash}"


SWAP_4_AND_5 = ("UPDATE consent_event SET seq = -4 WHERE seq = 4",
                "UPDATE consent_event SET seq = 4 WHERE seq = 5",
                "UPDATE consent_event SET seq = 5 WHERE seq = -4")
FORGED_CHECKPOINT = ("INSERT INTO ledger_checkpoint (seq, head_hash, created_at, mac) "
                     "VALUES (12, 'e', '2026-11-24T00:00:00.000000Z', 'not a mac')")
ORPHAN_INQUIRY = (
    "INSERT INTO inquiry (reference, created_at, locale, category, name, email, phone, "
    "order_number, message, subject_key, consent_seq, reply_due_at, status) VALUES "
    "('AMK-20261124-ZZZZ', '2026-11-24 00:00:00', 'ja', 'prizes', 'x', 'x@example.jp', '', '', "
    "'x', 'k', 99, '2026-11-24 00:00:00', 'new')")


@pytest.mark.parametrize("statements, named", [
    (["UPDATE consent_event SET locale = 'en' WHERE seq = 5"],
     "seq 5: edited (its fields no longer give its hash)"),
    (["DELETE FROM consent_event WHERE seq = 5"],
     "seq 5: missing (seq 5 to 5 are not in the ledger)"),
    (["DELETE FROM consent_event WHERE seq > 7"],
     "seq 8: truncated (a signed checkpoint names seq 10, the ledger ends at seq 7)"),
    (SWAP_4_AND_5, "seq 4: reordered (it links to the event now at seq 5)"),
    (["UPDATE policy_version SET text_ja = text_ja || '第三者に提供します。' WHERE label = '1'"],
     "seq 1: policy text changed (policy version 1 (ja) no longer matches its SHA-256)"),
    ([FORGED_CHECKPOINT], "seq 12: checkpoint forged (its MAC was not made with the ledger key)"),
    ([ORPHAN_INQUIRY],
     "seq 99: missing (inquiry AMK-20261124-ZZZZ cites a consent event that is not in the ledger)"),
], ids=["edited", "deleted", "cut off the end", "reordered", "policy text", "forged checkpoint",
        "inquiry without consent"])
def test_verify_names_the_first_damaged_seq_and_the_damage(app, runner, ledger, statements, named):
    tamper(app, *statements)
    assert verify(runner) == (1, f"DAMAGED at {named}")


def rehash_from(app, first_seq):
    """Recompute every hash from `first_seq` on, as a careful forger would (the hash needs no key)."""
    connection = sqlite3.connect(database_file(app))
    rows = connection.execute(f"SELECT {EVENT_COLUMNS} FROM consent_event WHERE seq >= ? "
                              "ORDER BY seq", (first_seq,)).fetchall()
    prev = connection.execute("SELECT hash FROM consent_event WHERE seq = ?",
                              (first_seq - 1,)).fetchone()[0]
    statements = []
    for row in rows:
        fields = list(row[:-1])
        fields[-1] = prev
        prev = canonical.event_hash(*fields)
        statements.append(("UPDATE consent_event SET prev_hash = ?, hash = ? WHERE seq = ?",
                           (fields[-1], prev, row[0])))
    connection.close()
    return statements


def test_an_edit_with_the_whole_chain_rehashed_is_caught_by_the_signed_checkpoint(app, runner, ledger):
    tamper(app, "UPDATE consent_event SET policy_version = '1', locale = 'en', "
                "policy_sha256 = (SELECT sha256_en FROM policy_version WHERE label = '1') "
                "WHERE seq = 4")
    tamper(app, *rehash_from(app, 4))
    assert verify(runner) == (
        1, "DAMAGED at seq 4: edited (it differs from the checkpoint signed for this seq)")


def forged_event(seq, prev_hash, occurred_at="2026-11-24T00:00:00.000000Z"):
    fields = [seq, "granted", occurred_at, "f" * 64, "1", "0" * 64, "ja", "web_form_checkbox", "",
              "AMK-FORGED", prev_hash]
    return fields + [canonical.event_hash(*fields)]


def insert_statement(fields):
    return (f"INSERT INTO consent_event ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 12)})", fields)


def test_a_forged_event_appended_at_the_end_is_inserted(app, runner, ledger):
    tamper(app, insert_statement(forged_event(11, ledger[-1].hash)))
    assert verify(runner) == (1, "DAMAGED at seq 11: inserted (no signed checkpoint covers it "
                                 "(last signed: 10))")


def test_a_forged_event_squeezed_into_the_middle_is_inserted(app, runner, ledger):
    shift = [f"UPDATE consent_event SET seq = {seq + 1} WHERE seq = {seq}" for seq in range(10, 5, -1)]
    tamper(app, *shift, insert_statement(forged_event(6, ledger[4].hash)))
    assert verify(runner) == (1, "DAMAGED at seq 6: inserted (seq 6 and 7 both follow the same event)")


def test_a_policy_text_changed_with_its_hash_is_named_at_the_first_event_citing_it(app, runner, ledger):
    new_text = "# 改ざんされた方針\n"
    tamper(app, ("UPDATE policy_version SET text_ja = ?, sha256_ja = ? WHERE label = '1'",
                 (new_text, hashlib.sha256(new_text.encode()).hexdigest())))
    code, output = verify(runner)
    first_ja = next(event.seq for event in ledger if event.locale == "ja")
    assert code == 1
    assert output == (f"DAMAGED at seq {first_ja}: policy text changed (the event cites policy "
                      f"version 1 (ja) with a SHA-256 the stored version does not have)")


@pytest.mark.parametrize("statement, message", [
    ("UPDATE consent_event SET locale = 'en' WHERE seq = 3", "consent_event is append-only"),
    ("DELETE FROM consent_event WHERE seq = 3", "consent_event is append-only"),
    ("UPDATE ledger_checkpoint SET seq = 1", "ledger_checkpoint is append-only"),
    ("DELETE FROM ledger_checkpoint", "ledger_checkpoint is append-only"),
    ("UPDATE policy_version SET text_ja = 'x'", "a published policy version cannot change"),
    ("DELETE FROM policy_version", "a published policy version cannot be deleted"),
])
def test_raw_updates_and_deletes_fail_with_the_trigger_message(app, runner, ledger, statement, message):
    with pytest.raises(sqlite3.IntegrityError, match=message):
        tamper(app, statement, drop_triggers=False)
    assert verify(runner)[0] == 0


def verify_in_stretches(app):
    """Three worker processes, one stretch of four events each."""
    from madoguchi.ledger.store import verification as ledger_verify
    result = ledger_verify.verify(app.config["LEDGER_KEY"], app.config["DATABASE_URL"], workers=3,
                                  events_per_worker=4)
    return result.summary()


def test_worker_processes_walking_stretches_find_what_one_walk_finds(app, runner):
    events = fill(app, 12)
    assert verify_in_stretches(app) == f"OK: 12 events, head seq 12, head hash {events[-1].hash}"
    tamper(app, "UPDATE consent_event SET method = 'forged' WHERE seq = 10")
    assert verify_in_stretches(app) == "DAMAGED at seq 10: edited (its fields no longer give its hash)"


@pytest.mark.parametrize("seq", [4, 5])
def test_an_event_missing_at_a_stretch_boundary_is_found(app, runner, seq):
    fill(app, 12)
    tamper(app, f"DELETE FROM consent_event WHERE seq = {seq}")
    assert verify_in_stretches(app).startswith(f"DAMAGED at seq {seq}: missing")
