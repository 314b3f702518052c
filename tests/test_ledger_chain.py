"""The consent ledger's hash chain: appends link up, hashes follow the documented serialisation,
checkpoints are signed, an append and its inquiry commit together, and 8 processes appending to one
SQLite file at once leave a gapless chain that verifies."""
import hashlib
import hmac

import pytest
from peewee import IntegrityError

from ledger_helpers import canonical_built_by_the_database, fill, grant, run_writers, store_awkward_events
from madoguchi.ledger import canonical
from madoguchi.ledger.store import consent_ledger
from madoguchi.ledger.store import verification as ledger_verify
from madoguchi.policy.store import versions as policy_store
from models import ConsentEvent, Inquiry, LedgerCheckpoint


def documented_bytes(event):
    """The canonical serialisation exactly as consent_ledger's docstring describes it."""
    lines = ["madoguchi-consent-v1"] + [f"{name}={getattr(event, name)}"
                                        for name in canonical.FIELDS]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_appends_form_a_chain_of_documented_hashes(app):
    events = fill(app, 5)
    stored = list(ConsentEvent.select().order_by(ConsentEvent.seq))
    assert [event.seq for event in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == "0" * 64
    for previous, event in zip(stored, stored[1:]):
        assert event.prev_hash == previous.hash
    for event in stored:
        assert event.hash == hashlib.sha256(documented_bytes(event)).hexdigest()
        assert len(event.occurred_at) == 27 and event.occurred_at.endswith("Z")
    assert events[-1].hash == stored[-1].hash


def test_the_database_builds_the_same_canonical_bytes_as_python(app):
    """verify has the database build the bytes it hashes: canonical_event()'s, byte for byte."""
    for fields in store_awkward_events([1, 2**31 - 1, 2**62 + 1]):
        assert canonical_built_by_the_database(fields[0]) == canonical.canonical_event(*fields)


def test_a_chain_with_empty_optional_values_verifies(app, runner):
    version = policy_store.current_version()
    for n in range(3):
        consent_ledger.append(kind="granted", subject_key=f"{n:064x}", policy_version=version.label,
                              policy_sha256=version.sha256_en, locale="en", method="import",
                              ip_truncated="", inquiry_ref="", ledger_key=app.config["LEDGER_KEY"])
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_every_append_writes_a_checkpoint_signed_with_the_ledger_key(app):
    fill(app, 3)
    checkpoints = list(LedgerCheckpoint.select().order_by(LedgerCheckpoint.seq))
    heads = {event.seq: event.hash for event in ConsentEvent.select()}
    assert [checkpoint.seq for checkpoint in checkpoints] == [1, 2, 3]
    for checkpoint in checkpoints:
        assert checkpoint.head_hash == heads[checkpoint.seq]
        signed = (f"madoguchi-checkpoint-v1\nseq={checkpoint.seq}\nhead_hash={checkpoint.head_hash}\n"
                  f"created_at={checkpoint.created_at}\n").encode()
        assert checkpoint.mac == hmac.new(b"test-ledger-key", signed, hashlib.sha256).hexdigest()


def test_a_batch_is_anchored_by_one_checkpoint(app):
    version = policy_store.current_version()
    batch = [dict(kind="granted", subject_key=f"{n:064x}", policy_version=version.label,
                  policy_sha256=version.sha256_ja, locale="ja", method="import") for n in range(50)]
    assert consent_ledger.append_many(batch, app.config["LEDGER_KEY"]) == 50
    assert LedgerCheckpoint.select().count() == 1
    assert ledger_verify.verify(app.config["LEDGER_KEY"]).summary().startswith("OK: 50 events")


def test_an_inquiry_that_fails_to_store_takes_its_consent_event_with_it(app):
    grant(app, reference="AMK-20261124-AAAA", inquiry=True)
    with pytest.raises(IntegrityError):
        grant(app, "hanako@example.jp", reference="AMK-20261124-AAAA", inquiry=True)  # same reference
    assert ConsentEvent.select().count() == 1 and LedgerCheckpoint.select().count() == 1
    assert Inquiry.select().count() == 1


def test_unknown_kinds_and_control_characters_are_refused(app):
    fields = dict(subject_key="a" * 64, policy_version="1", policy_sha256="b" * 64, locale="ja",
                  method="web_form_checkbox", ledger_key="k")
    with pytest.raises(canonical.LedgerError):
        consent_ledger.append(kind="deleted", **fields)
    with pytest.raises(canonical.LedgerError):
        consent_ledger.append(kind="granted", inquiry_ref="AMK\nseq=1", **fields)
    assert ConsentEvent.select().count() == 0


def test_eight_processes_appending_at_once_leave_a_gapless_chain_that_verifies(app, runner):
    assert run_writers(app.config["DATABASE_URL"], app.config["LEDGER_KEY"], 8, 40) == [0] * 8
    seqs = [row.seq for row in ConsentEvent.select(ConsentEvent.seq).order_by(ConsentEvent.seq)]
    assert seqs == list(range(1, 321))
    assert LedgerCheckpoint.select().count() == 320
    writers = {row.inquiry_ref.split("-")[1] for row in ConsentEvent.select()}
    assert writers == {f"W{worker}" for worker in range(8)}
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 320 events, head seq 320, head hash ")
