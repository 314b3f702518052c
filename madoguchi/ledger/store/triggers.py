"""Database-level guards of the append-only tables.

The app never updates or deletes a consent event, a checkpoint or a published policy version; these
triggers make the database itself refuse to, so a bug or a stray SQL session cannot either.

PostgreSQL gets the same triggers (plus one refusing TRUNCATE, which skips row triggers) and, with
`restrict_app_role`, a second line: the role the site connects as holds no UPDATE, DELETE or
TRUNCATE right on those tables at all. Trigger messages are the same on both databases.
"""
import re

from peewee import PostgresqlDatabase, SqliteDatabase

from models import ALL_MODELS

APPEND_ONLY_TABLES = ("consent_event", "ledger_checkpoint", "staff_action")

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS consent_event_no_update BEFORE UPDATE ON consent_event
       BEGIN SELECT RAISE(ABORT, 'consent_event is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS consent_event_no_delete BEFORE DELETE ON consent_event
       BEGIN SELECT RAISE(ABORT, 'consent_event is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_checkpoint_no_update BEFORE UPDATE ON ledger_checkpoint
       BEGIN SELECT RAISE(ABORT, 'ledger_checkpoint is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_checkpoint_no_delete BEFORE DELETE ON ledger_checkpoint
       BEGIN SELECT RAISE(ABORT, 'ledger_checkpoint is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS policy_version_published_no_update BEFORE UPDATE ON policy_version
       WHEN OLD.published_at IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'a published policy version cannot change'); END""",
    """CREATE TRIGGER IF NOT EXISTS policy_version_published_no_delete BEFORE DELETE ON policy_version
       WHEN OLD.published_at IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'a published policy version cannot be deleted'); END""",
    """CREATE TRIGGER IF NOT EXISTS staff_action_no_update BEFORE UPDATE ON staff_action
       BEGIN SELECT RAISE(ABORT, 'staff_action is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS staff_action_no_delete BEFORE DELETE ON staff_action
       BEGIN SELECT RAISE(ABORT, 'staff_action is append-only'); END""",
]


POSTGRES_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION madoguchi_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only';
       END $$""",
    """CREATE OR REPLACE FUNCTION madoguchi_freeze_published_policy() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           IF OLD.published_at IS NOT NULL THEN
               IF TG_OP = 'DELETE' THEN
                   RAISE EXCEPTION 'a published policy version cannot be deleted';
               END IF;
               RAISE EXCEPTION 'a published policy version cannot change';
           END IF;
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NEW;
       END $$""",
]


def _postgres_triggers():
    statements = []
    for table in APPEND_ONLY_TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION madoguchi_refuse_change()""",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION madoguchi_refuse_change()""",
        ]
    return statements + [
        "DROP TRIGGER IF EXISTS policy_version_published_frozen ON policy_version",
        """CREATE TRIGGER policy_version_published_frozen BEFORE UPDATE OR DELETE ON policy_version
           FOR EACH ROW EXECUTE FUNCTION madoguchi_freeze_published_policy()""",
        "DROP TRIGGER IF EXISTS policy_version_no_truncate ON policy_version",
        """CREATE TRIGGER policy_version_no_truncate BEFORE TRUNCATE ON policy_version
           FOR EACH STATEMENT EXECUTE FUNCTION madoguchi_refuse_change()""",
    ]


def _engine(database):
    return database.obj if hasattr(database, "obj") else database


def install_triggers(database):
    engine = _engine(database)
    if isinstance(engine, SqliteDatabase):
        statements = SQLITE_TRIGGERS
    elif isinstance(engine, PostgresqlDatabase):
        statements = POSTGRES_FUNCTIONS + _postgres_triggers()
    else:
        raise RuntimeError(f"no append-only triggers for {type(engine).__name__}")
    with database.atomic():
        for statement in statements:
            database.execute_sql(statement)


def restrict_app_role(database, role):
    """Let `role` (the role the site connects as; it must not own the tables) read and add to the
    ledger but never change or remove from it. Run it as the tables' owner after init-db:

        REVOKE ALL ON consent_event, ledger_checkpoint, staff_action FROM role;
        GRANT SELECT, INSERT ON consent_event, ledger_checkpoint, staff_action TO role;
        GRANT SELECT, INSERT, UPDATE, DELETE ON policy_version (drafts only: the triggers freeze
            published versions) and the other tables TO role;
        GRANT USAGE, SELECT ON all sequences TO role.

    An owner could grant itself the rights back, which is why the site must not connect as one.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError("role names are lower-case letters, digits and underscores")
    ledger = ", ".join(APPEND_ONLY_TABLES)
    others = ", ".join(model._meta.table_name for model in ALL_MODELS
                       if model._meta.table_name not in APPEND_ONLY_TABLES)
    with database.atomic():
        database.execute_sql(f'REVOKE ALL ON {ledger} FROM "{role}"')
        database.execute_sql(f'GRANT SELECT, INSERT ON {ledger} TO "{role}"')
        database.execute_sql(f'REVOKE TRUNCATE ON {others} FROM "{role}"')
        database.execute_sql(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {others} TO "{role}"')
        database.execute_sql(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
