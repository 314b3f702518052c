"""Creating the whole schema: every table, the append-only triggers and policy version 1.

Safe to run again (tables and triggers are created only where missing; version 1 only into an
empty table). Run by `flask init-db`, and by create_app while AUTO_INIT_DB is on.
"""
from madoguchi.ledger.store import triggers
from madoguchi.policy.store import versions as policy_store
from models import ALL_MODELS, database


def create_schema():
    with database.connection_context():
        database.create_tables(ALL_MODELS, safe=True)
        triggers.install_triggers(database)
        policy_store.ensure_first_version()
