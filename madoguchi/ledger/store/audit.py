"""What an auditor does with the ledger, each step written to the staff actions log: looking for one
person, exporting, verifying. The ledger is only read; reading it is what gets logged."""
import json

from madoguchi.ledger.pseudonyms import subject_key
from madoguchi.ledger.store import anchors as anchor_store
from madoguchi.ledger.store import export_zip
from madoguchi.ledger.store import verification as ledger_verify
from madoguchi.staff.store import log as staff_log

PERSON_LOOKUP = "ledger_person_lookup"
VERIFIED = "ledger_verified"
EXPORTED = "ledger_exported"


def find_person(email, subject_secret, actor):
    """The subject key the ledger knows the person by; only the key is logged, never the email."""
    subject = subject_key(email, subject_secret)
    staff_log.record(actor, PERSON_LOOKUP, target=subject)
    return subject


def export(fmt, actor, since=None, until=None, version=None, anchor_path=None, ledger_key=None):
    """The zipped export (chunks of bytes) of the chosen days and version, with its manifest,
    which names the last head in the anchor log at `anchor_path` (checked with `ledger_key`)."""
    filters = {"since": since, "until": until, "version": version}
    staff_log.record(actor, EXPORTED, target=fmt, detail=json.dumps(filters, default=str, sort_keys=True))
    last_anchor = anchor_store.last_anchor(anchor_path, ledger_key)    # before the export's snapshot
    return export_zip.export_zip(fmt, since, until, version, last_anchor=last_anchor)


def verify(ledger_key, actor, anchor_path=None):
    """The whole check, compared with the anchor log at `anchor_path` too when there is one."""
    result = ledger_verify.verify(ledger_key, anchor_path=anchor_path)
    staff_log.record(actor, VERIFIED, detail=result.summary())
    return result
