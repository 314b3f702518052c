"""The consent ledger's format: an event's canonical bytes, its hash, and a checkpoint's MAC.

This is the one definition of what the ledger's hashes cover; the store (ledger/store) writes and
reads events in it, and tools/verify_export.py repeats it with the standard library only.

Canonical serialisation (what `hash` is the SHA-256 of): the UTF-8 bytes of these lines, each
ending in "\\n", in this order:

    madoguchi-consent-v1
    seq=<decimal>
    kind=<granted|withdrawn|erased>
    occurred_at=<YYYY-MM-DDTHH:MM:SS.ffffffZ, UTC>
    subject_key=<64 hex>
    policy_version=<label>
    policy_sha256=<64 hex>
    locale=<ja|en>
    method=<web_form_checkbox|...>
    ip_truncated=<network or empty>
    inquiry_ref=<reference or empty>
    prev_hash=<64 hex; 64 zeros for seq 1>

No value may hold a control character (checked by new_event), so the lines cannot be confused.
A checkpoint's MAC is HMAC-SHA256(LEDGER_KEY, "madoguchi-checkpoint-v1\\nseq=..\\nhead_hash=..\\n
created_at=..\\n"). The ledger key lives outside the database, so whoever can edit the database file
still cannot forge a checkpoint for a shortened or rewritten chain.
"""
import hashlib
import hmac
import re
from datetime import datetime, timezone

GENESIS_HASH = "0" * 64
KINDS = ("granted", "withdrawn", "erased")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# The fields of an event in canonical order (seq first, prev_hash last; hash is not hashed).
FIELDS = ("seq", "kind", "occurred_at", "subject_key", "policy_version", "policy_sha256",
          "locale", "method", "ip_truncated", "inquiry_ref", "prev_hash")
EVENT_COLUMNS = FIELDS + ("hash",)
CHECKPOINT_COLUMNS = ("seq", "head_hash", "created_at", "mac")
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
# The canonical serialisation with a {} for each field's value, built from FIELDS: the one
# definition of the format, filled in by canonical_event() in Python and canonical_sql() in SQL.
CANONICAL_TEMPLATE = "madoguchi-consent-v1\n" + "".join(f"{name}={{}}\n" for name in FIELDS)


class LedgerError(ValueError):
    """An event that cannot be appended (unknown kind, control characters in a value)."""


def format_time(moment=None):
    """UTC as the fixed-width text stored and hashed: 2026-11-24T01:02:03.000004Z. A naive
    datetime is taken as UTC already (like every time the database stores)."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime(TIME_FORMAT)


def canonical_event(*fields):
    """The canonical bytes of an event's fields, given in FIELDS order."""
    if len(fields) != len(FIELDS):
        raise TypeError(f"an event has {len(FIELDS)} canonical fields, not {len(fields)}")
    return CANONICAL_TEMPLATE.format(*fields).encode("utf-8")


def event_hash(*fields):
    """SHA-256 (hex) of the canonical bytes of the fields, given in FIELDS order."""
    return hashlib.sha256(canonical_event(*fields)).hexdigest()


def canonical_checkpoint(seq, head_hash, created_at):
    return f"madoguchi-checkpoint-v1\nseq={seq}\nhead_hash={head_hash}\ncreated_at={created_at}\n" \
        .encode("utf-8")


def checkpoint_mac(ledger_key, seq, head_hash, created_at):
    return hmac.new(ledger_key.encode("utf-8"), canonical_checkpoint(seq, head_hash, created_at),
                    hashlib.sha256).hexdigest()


def event_time(utc_text_value):
    """A stored UTC time text as an aware datetime, for showing it in Tokyo time."""
    return datetime.strptime(utc_text_value, TIME_FORMAT).replace(tzinfo=timezone.utc)


def _checked(kind, values):
    if kind not in KINDS:
        raise LedgerError(f"unknown event kind {kind!r}")
    if CONTROL_CHARACTER.search("".join(values)):
        raise LedgerError("ledger values may not contain control characters")


def new_event(seq, prev_hash, kind, subject_key, policy_version, policy_sha256, locale, method,
              ip_truncated, inquiry_ref, occurred_at):
    """The stored values of the event that follows `prev_hash` at `seq`, with its hash."""
    values = dict(kind=kind, occurred_at=format_time(occurred_at), subject_key=subject_key,
                  policy_version=str(policy_version), policy_sha256=policy_sha256, locale=locale,
                  method=method, ip_truncated=ip_truncated or "", inquiry_ref=inquiry_ref or "")
    _checked(kind, values.values())
    values.update(seq=seq, prev_hash=prev_hash)
    values["hash"] = event_hash(*(values[name] for name in FIELDS))
    return values
