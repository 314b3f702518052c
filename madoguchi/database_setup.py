"""Creating the whole schema: every table, the append-only triggers and policy version 1.

Safe to run again: tables and triggers are created only where missing, columns added since a table
was first created are added to it, and version 1 goes only into an empty table. Run by
`flask init-db`, and by create_app while AUTO_INIT_DB is on.
"""
from playhouse.migrate import SchemaMigrator, migrate

from madoguchi.ledger.store import triggers
from madoguchi.policy.store import versions as policy_store
from models import ALL_MODELS, OutboxMail, database

# Columns that databases created by an earlier release lack (create_tables skips existing tables).
ADDED_COLUMNS = [OutboxMail.kind]


def create_schema():
    with database.connection_context():
        database.create_tables(ALL_MODELS, safe=True)
        _add_missing_columns()
        triggers.install_triggers(database)
        policy_store.ensure_first_version()


def _add_missing_columns():
    migrator = SchemaMigrator.from_database(database.obj)
    for field in ADDED_COLUMNS:
        table = field.model._meta.table_name
        if field.column_name not in {column.name for column in database.get_columns(table)}:
            with database.atomic():
                migrate(migrator.add_column(table, field.column_name, field))
