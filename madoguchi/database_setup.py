"""Creating the whole schema: every table, the append-only triggers and policy version 1.

Safe to run again: tables and triggers are created only where missing, columns added since a table
was first created are added to it, and version 1 goes only into an empty table. Run by
`flask init-db`, and by create_app while AUTO_INIT_DB is on.
"""
from playhouse.migrate import SchemaMigrator, migrate

from madoguchi.ledger.store import triggers
from madoguchi.policy.store import versions as policy_store
from models import ALL_MODELS, Inquiry, OutboxMail, database

# Columns that databases created by an earlier release lack (create_tables skips existing tables).
ADDED_COLUMNS = [OutboxMail.kind, OutboxMail.claimed_until, Inquiry.submission_key]


def create_schema():
    with database.connection_context():
        _add_missing_columns()      # first: create_tables would index a column still missing
        database.create_tables(ALL_MODELS, safe=True)
        triggers.install_triggers(database)
        policy_store.ensure_first_version()


def _add_missing_columns():
    migrator = SchemaMigrator.from_database(database.obj)
    for field in ADDED_COLUMNS:
        table = field.model._meta.table_name
        if not database.table_exists(table):
            continue                # a new database: create_tables makes the table whole
        if field.column_name not in {column.name for column in database.get_columns(table)}:
            with database.atomic():
                migrate(migrator.add_column(table, field.column_name, field))
