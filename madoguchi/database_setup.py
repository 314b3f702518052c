"""Creating the whole schema: every table, the append-only triggers and policy version 1.

Safe to run again, and by several processes at once: one setup at a time holds the database's
setup lock (an advisory lock on PostgreSQL, the write lock on SQLite), and does everything in one
transaction. When nothing is missing it runs no DDL at all, only checks: so the site's restricted
role (which may not create anything, see triggers.restrict_app_role) can run it too. Otherwise
tables, indexes and triggers are created where missing, columns added since a table was first
created are added to it, and version 1 goes only into an empty table. Run by `flask init-db`
(scripts/serve runs it before gunicorn starts), and by create_app while AUTO_INIT_DB is on.
"""
from contextlib import contextmanager

from peewee import PostgresqlDatabase
from playhouse.migrate import SchemaMigrator, migrate

from madoguchi.ledger.store import triggers
from madoguchi.policy.store import versions as policy_store
from models import ALL_MODELS, Inquiry, OutboxMail, PolicyVersion, database

# Columns that databases created by an earlier release lack (create_tables skips existing tables).
# Each must be nullable or have a default; one on policy_version must be nullable (see models.py).
ADDED_COLUMNS = [OutboxMail.kind, OutboxMail.claimed_until, Inquiry.submission_key,
                 PolicyVersion.change_summary_en, OutboxMail.sender]
# Any constant works, as long as every setup uses the same one: it names "the schema setup lock".
SETUP_LOCK_ID = 0x6D61646F            # "mado"


def create_schema():
    """Set the schema up where anything is missing; returns what was missing (empty: nothing)."""
    with database.connection_context(), _setup_lock():
        missing = missing_schema()
        if missing:
            _add_missing_columns()      # first: create_tables would index a column still missing
            database.create_tables(ALL_MODELS, safe=True)
            triggers.install_triggers(database)
        policy_store.ensure_first_version()
    return missing


def missing_schema():
    """What the database lacks of the schema, as readable names ("table inquiry", "trigger …")."""
    tables = set(database.get_tables())
    missing = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        if table not in tables:
            missing.append(f"table {table}")
            continue
        columns = {column.name for column in database.get_columns(table)}
        missing += [f"column {table}.{field.column_name}" for field in model._meta.sorted_fields
                    if field.column_name not in columns]
        indexes = {index.name for index in database.get_indexes(table)}
        missing += [f"index {index._name}" for index in model._meta.fields_to_index()
                    if index._name not in indexes]
    return missing + [f"trigger {name}" for name in triggers.missing_triggers(database)]


@contextmanager
def _setup_lock():
    """One transaction holding the setup lock to its end. Two setups at once would otherwise both
    create the same tables, and PostgreSQL fails one of them ("tuple concurrently updated")."""
    if isinstance(database.obj, PostgresqlDatabase):
        with database.atomic():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK_ID,))
            yield
    else:
        # SQLite: BEGIN IMMEDIATE takes the database's write lock before anything is read; a second
        # setup waits for it (busy_timeout), then finds the schema complete.
        with database.atomic(lock_type="IMMEDIATE"):
            yield


def _add_missing_columns():
    migrator = SchemaMigrator.from_database(database.obj)
    for field in ADDED_COLUMNS:
        table = field.model._meta.table_name
        if not database.table_exists(table):
            continue                # a new database: create_tables makes the table whole
        if field.column_name not in {column.name for column in database.get_columns(table)}:
            migrate(migrator.add_column(table, field.column_name, field))
