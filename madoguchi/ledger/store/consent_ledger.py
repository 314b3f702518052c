"""The consent ledger's store: appending events to the hash chain, each anchored by a signed
checkpoint, in the one write transaction that serialises writers.

Use it like this (the inquiry and its consent are stored in one transaction):

    with consent_ledger.writing():
        event = consent_ledger.append(kind="granted", subject_key=..., policy_version="1",
                                      policy_sha256=..., locale="ja", method="web_form_checkbox",
                                      ip_truncated="203.0.113.0/24", inquiry_ref="AMK-...",
                                      ledger_key=app.config["LEDGER_KEY"])
        Inquiry.create(..., consent_seq=event.seq)

What is hashed and signed is defined in madoguchi/ledger/canonical.py.

Each signed head also goes to the anchor log outside the database (madoguchi/ledger/anchors.py)
when the caller passes `anchor_log` (AnchorLog.from_settings(config)): after the outermost
writing() has committed, never before.

Waiting for the lock is bounded (`lock_timeout` seconds, LEDGER_LOCK_TIMEOUT on the site): a
writer that cannot have it in time gets LedgerBusy, with nothing written, instead of a customer
waiting behind a stuck writer until the worker is killed.
"""
import os
import threading
import time
from contextlib import contextmanager

from peewee import OperationalError

from madoguchi.ledger import canonical
from madoguchi.ledger.canonical import (
    CANONICAL_TEMPLATE,
    CHECKPOINT_COLUMNS,
    EVENT_COLUMNS,
    FIELDS,
    GENESIS_HASH,
    checkpoint_mac,
    format_time,
)
from madoguchi.ledger.anchors import Anchor
from madoguchi.ledger.store.stream import filled_in, is_postgres
from madoguchi.settings import DEFAULT_LEDGER_LOCK_TIMEOUT
from models import ConsentEvent, database

try:
    import fcntl
except ImportError:                             # not on POSIX: SQLite's busy wait alone
    fcntl = None

# Any constant works, as long as every writer uses the same one: it names "the ledger's write lock".
ADVISORY_LOCK_ID = 0x6D61646F   # "mado"
# How often a waiting writer tries the flock again: short next to a write (a few ms), and cheap.
FLOCK_RETRY_SECONDS = 0.002
LOCK_NOT_AVAILABLE = "55P03"    # PostgreSQL's SQLSTATE when lock_timeout ran out
# The heads signed inside this thread's open writing() transaction, waiting for its commit.
_to_anchor = threading.local()


class LedgerBusy(Exception):
    """The ledger's write lock was not free within the wait allowed; nothing was written."""


def canonical_sql():
    """The canonical text as an SQL expression over consent_event's columns, with its parameters,
    so that the database builds the text to hash: reading one value per event out of the database
    costs far less than reading eleven (verify spends most of its time reading)."""
    return filled_in(CANONICAL_TEMPLATE.replace("{}", "%s"), FIELDS)


@contextmanager
def writing(lock_timeout=DEFAULT_LEDGER_LOCK_TIMEOUT):
    """The one write transaction in which the head is read and the next event inserted.

    SQLite: BEGIN IMMEDIATE takes the database's write lock before the head is read, so a second
    process waits instead of reading the same head and forking the chain.
    PostgreSQL: a plain transaction does not stop two sessions reading the same max(seq), so every
    writer first takes pg_advisory_xact_lock(ADVISORY_LOCK_ID); it is released at commit/rollback,
    and under READ COMMITTED the head query after it sees the previous writer's committed event.
    Either way the wait ends after `lock_timeout` seconds with LedgerBusy.
    Nested use (inside an outer writing()) joins the outer transaction as a savepoint.
    """
    deadline = time.monotonic() + lock_timeout
    with _anchored_after_commit():
        if is_postgres():
            with database.atomic():
                _advisory_lock(deadline)
                yield
        else:
            with _writers_queue(deadline), _immediate_transaction(deadline):
                yield


@contextmanager
def _anchored_after_commit():
    """Heads signed inside the outermost writing() are written to their anchor log once its
    transaction has committed: a line written before a commit that then failed would claim a head
    the database never had. A crash between the two only leaves the log behind the ledger, which
    verify accepts. (Only writing() must open the transaction: inside someone else's, "after
    writing()" is not "after the commit".)"""
    if getattr(_to_anchor, "heads", None) is not None:
        yield                                   # nested: the outer writing() anchors
        return
    _to_anchor.heads = heads = []
    try:
        yield
    finally:
        _to_anchor.heads = None
    for anchor_log, anchor in heads:            # reached only when the transaction committed
        anchor_log.write([anchor])


def _milliseconds_left(deadline):
    return max(1, int((deadline - time.monotonic()) * 1000))   # 0 would mean "wait for ever"


def _advisory_lock(deadline):
    # SET LOCAL ends with the transaction, so a pooled connection keeps its usual lock_timeout.
    database.execute_sql(f"SET LOCAL lock_timeout = {_milliseconds_left(deadline)}")
    try:
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_ID,))
    except OperationalError as error:
        if getattr(error.args[0] if error.args else None, "pgcode", None) == LOCK_NOT_AVAILABLE:
            raise LedgerBusy("another writer held the ledger's lock too long") from error
        raise


@contextmanager
def _writers_queue(deadline):
    """SQLite's own wait for a busy database sleeps in steps (1, 2, 5, 10 ... ms), so processes
    appending at once would sleep while the lock lies free. They queue on an flock of a file next
    to the database instead, retrying every FLOCK_RETRY_SECONDS until the deadline (a blocking
    flock cannot be given a timeout). BEGIN IMMEDIATE alone keeps the chain correct; this only
    makes the waiting short."""
    path = database.obj.database
    if fcntl is None or path == ":memory:" or database.in_transaction():
        yield                                   # nested: the outer writing() holds the queue
        return
    # 0600 like the database beside it (the file is empty; only its lock matters).
    descriptor = os.open(f"{path}-writers.lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a") as lock_file:
        while not _try_flock(lock_file):
            if time.monotonic() >= deadline:
                raise LedgerBusy("another writer held the ledger's lock too long")
            time.sleep(FLOCK_RETRY_SECONDS)
        yield                                   # released when the file is closed


def _try_flock(lock_file):
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def _immediate_transaction(deadline):
    """BEGIN IMMEDIATE, waiting for another connection's write (a draft being saved, a mail being
    marked sent) only until the deadline: SQLite's busy_timeout, lowered for this transaction."""
    if database.in_transaction():
        with database.atomic():                 # nested: a savepoint in the outer transaction
            yield
        return
    usual_wait = database.execute_sql("PRAGMA busy_timeout").fetchone()[0]
    database.execute_sql(f"PRAGMA busy_timeout = {_milliseconds_left(deadline)}")
    began = False
    try:
        with database.atomic(lock_type="IMMEDIATE"):
            began = True
            yield
    except OperationalError as error:
        if not began and "locked" in str(error):
            raise LedgerBusy("another connection held the database's write lock too long") from error
        raise
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {int(usual_wait)}")


def head():
    """(seq, hash) of the last event, or (0, GENESIS_HASH) for an empty ledger."""
    row = database.execute_sql(
        "SELECT seq, hash FROM consent_event ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def _insert(table, columns, rows):
    """One prepared INSERT run for all rows: building a Peewee query per row would cost more
    than the write itself."""
    marks = ", ".join([database.param] * len(columns))
    names = ", ".join(f'"{name}"' for name in columns)
    database.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _write_checkpoint(seq, head_hash, ledger_key, anchor_log):
    created_at = format_time()
    mac = checkpoint_mac(ledger_key, seq, head_hash, created_at)
    _insert("ledger_checkpoint", CHECKPOINT_COLUMNS, [(seq, head_hash, created_at, mac)])
    if anchor_log is not None:
        _to_anchor.heads.append((anchor_log, Anchor(seq, head_hash, created_at, mac)))


def append(*, kind, subject_key, policy_version, policy_sha256, locale, method, ledger_key,
           ip_truncated="", inquiry_ref="", occurred_at=None, lock_timeout=DEFAULT_LEDGER_LOCK_TIMEOUT,
           anchor_log=None):
    """Append one event after the current head, with its checkpoint; returns the ConsentEvent.

    Call it inside `writing()` when other rows (the inquiry) must commit with it; on its own it
    opens that transaction itself. With an `anchor_log` (store.anchors.AnchorLog) the signed head
    is written to it after the commit.
    """
    with writing(lock_timeout):
        seq, prev_hash = head()
        values = canonical.new_event(seq + 1, prev_hash, kind, subject_key, policy_version, policy_sha256,
                            locale, method, ip_truncated, inquiry_ref, occurred_at)
        _insert("consent_event", EVENT_COLUMNS, [[values[name] for name in EVENT_COLUMNS]])
        _write_checkpoint(values["seq"], values["hash"], ledger_key, anchor_log)
    return ConsentEvent(**values)


def append_many(events, ledger_key, lock_timeout=DEFAULT_LEDGER_LOCK_TIMEOUT, anchor_log=None):
    """Append a batch (dicts of append()'s keyword arguments, without ledger_key) in one
    transaction with ONE checkpoint for the batch's last event; returns the last seq.

    Used for imports, demo data and the benchmark: per-event checkpoints are what a web request
    needs, but a batch is atomic, so anchoring its end anchors every event in it.
    """
    with writing(lock_timeout):
        seq, prev_hash = head()
        rows = []
        for fields in events:
            seq += 1
            row = canonical.new_event(seq, prev_hash, fields["kind"], fields["subject_key"],
                             fields["policy_version"], fields["policy_sha256"], fields["locale"],
                             fields["method"], fields.get("ip_truncated", ""),
                             fields.get("inquiry_ref", ""), fields.get("occurred_at"))
            rows.append([row[name] for name in EVENT_COLUMNS])
            prev_hash = row["hash"]
        if rows:
            _insert("consent_event", EVENT_COLUMNS, rows)
            _write_checkpoint(seq, prev_hash, ledger_key, anchor_log)
    return seq
