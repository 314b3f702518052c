"""Reading the ledger in seq order in constant memory, inside one consistent snapshot.

Verify and export walk millions of rows. Peewee model instances are too slow for that, and
psycopg2's ordinary cursor would fetch the whole result into memory, so queries are built with
Peewee and their rows read as plain tuples: SQLite's cursor is lazy by itself; on PostgreSQL a
server-side cursor (DECLARE ... FETCH) hands them over a few thousand at a time.
"""
from contextlib import contextmanager
from itertools import chain

from peewee import PostgresqlDatabase

from models import ConsentEvent, LedgerCheckpoint, database

BATCH = 5000
# The stored columns of an event in canonical order, then its hash (see consent_ledger).
EVENT_COLUMNS = (ConsentEvent.seq, ConsentEvent.kind, ConsentEvent.occurred_at,
                 ConsentEvent.subject_key, ConsentEvent.policy_version,
                 ConsentEvent.policy_sha256, ConsentEvent.locale, ConsentEvent.method,
                 ConsentEvent.ip_truncated, ConsentEvent.inquiry_ref, ConsentEvent.prev_hash,
                 ConsentEvent.hash)
CHECKPOINT_COLUMNS = (LedgerCheckpoint.seq, LedgerCheckpoint.head_hash,
                      LedgerCheckpoint.created_at, LedgerCheckpoint.mac)


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


@contextmanager
def snapshot():
    """One read transaction, so a walk sees the ledger as it was when it began, even while new
    consents are appended (SQLite WAL readers keep their snapshot; PostgreSQL REPEATABLE READ)."""
    if is_postgres():
        with database.atomic(isolation_level="REPEATABLE READ"):
            yield
    else:
        with database.atomic():
            yield


def filled_in(template, columns):
    """SQL that fills each %s of `template` with the text of one of `columns` (an integer's in
    decimal), and its parameters: SQLite's printf() and PostgreSQL's format() do the same there.
    Building text in the database costs less than reading each value out on its own."""
    function = "format" if is_postgres() else "printf"
    names = ", ".join(f'"{column}"' for column in columns)
    return f"{function}({database.param}, {names})", [template]


def events(where=None):
    query = ConsentEvent.select(*EVENT_COLUMNS).order_by(ConsentEvent.seq)
    return query.where(where) if where is not None else query


def checkpoints():
    return (LedgerCheckpoint.select(*CHECKPOINT_COLUMNS)
            .order_by(LedgerCheckpoint.seq, LedgerCheckpoint.id))


def rows(query, name="ledger_rows"):
    """The query's rows as tuples, read lazily. Call inside snapshot(); `name` tells apart two
    walks open at once (verify reads events and checkpoints side by side)."""
    return chain.from_iterable(batches(query, name))


def batches(query, name="ledger_rows", size=BATCH):
    """Yield the query's rows in lists of up to `size` tuples (for export, which formats a list
    at a time)."""
    sql, params = query.sql()
    cursor = database.cursor()
    if not is_postgres():
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield batch
        return
    # A server-side cursor; one left open (a walk stopped early) goes away with its transaction.
    cursor.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)
    while True:
        cursor.execute(f"FETCH {size} FROM {name}")
        batch = cursor.fetchall()
        if not batch:
            break
        yield batch
    cursor.execute(f"CLOSE {name}")
