"""What an auditor does with the ledger, each step written to the staff actions log: looking for one
person, exporting, verifying. The ledger is only read; reading it is what gets logged."""
import json

from madoguchi.ledger.pseudonyms import subject_key
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


def export(fmt, actor, since=None, until=None, version=None):
    """The zipped export (chunks of bytes) of the chosen days and version, with its manifest."""
    filters = {"since": since, "until": until, "version": version}
    staff_log.record(actor, EXPORTED, target=fmt, detail=json.dumps(filters, default=str, sort_keys=True))
    return export_zip.export_zip(fmt, since, until, version)


def verify(ledger_key, actor):
    result = ledger_verify.verify(ledger_key)
    staff_log.record(actor, VERIFIED, detail=result.summary())
    return result
