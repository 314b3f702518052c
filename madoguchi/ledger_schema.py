"""Database-level guards of the append-only tables.

The app never updates or deletes a consent event, a checkpoint or a published policy version; these
triggers make the database itself refuse to, so a bug or a stray SQL session cannot either.
"""

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


def install_triggers(database):
    from peewee import SqliteDatabase

    if isinstance(database.obj if hasattr(database, "obj") else database, SqliteDatabase):
        for statement in SQLITE_TRIGGERS:
            database.execute_sql(statement)
