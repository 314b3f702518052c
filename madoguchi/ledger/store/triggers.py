"""Database-level guards of the append-only tables.

The app never updates or deletes a consent event, a checkpoint or a published policy version; these
triggers make the database itself refuse to, so a bug or a stray SQL session cannot either.

PostgreSQL gets the same triggers (plus one refusing TRUNCATE, which skips row triggers) and, with
`restrict_app_role`, a second line: the role the site connects as holds no UPDATE, DELETE or
TRUNCATE right on those tables at all. Trigger messages are the same on both databases.

One more guard holds a rule rather than append-only: a policy version's label must be a slug
(madoguchi/policy/revisions.py `is_label`), written here once in SQLite's GLOB and once in
PostgreSQL's regular expressions. A CHECK constraint cannot be added to an existing SQLite table,
a trigger can: every INSERT or UPDATE of policy_version with another label is refused.
"""
import re

from peewee import PostgresqlDatabase, SqliteDatabase

from models import ALL_MODELS

APPEND_ONLY_TABLES = ("consent_event", "ledger_checkpoint", "staff_action")
LABEL_REFUSED = "a policy version label is a slug: letters, digits, and . - _ inside"

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
] + [
    # 1 to 40 letters, digits, dots, hyphens, underscores; a letter or digit first and last.
    f"""CREATE TRIGGER IF NOT EXISTS policy_version_label_slug_{event.lower()} BEFORE {event} ON policy_version
       WHEN length(NEW.label) NOT BETWEEN 1 AND 40 OR NEW.label GLOB '*[^A-Za-z0-9._-]*'
            OR NEW.label GLOB '[._-]*' OR NEW.label GLOB '*[._-]'
       BEGIN SELECT RAISE(ABORT, '{LABEL_REFUSED}'); END"""
    for event in ("INSERT", "UPDATE")
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
    f"""CREATE OR REPLACE FUNCTION madoguchi_check_policy_label() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           IF length(NEW.label) > 40 OR NEW.label !~ '^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$' THEN
               RAISE EXCEPTION '{LABEL_REFUSED}';
           END IF;
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
        "DROP TRIGGER IF EXISTS policy_version_label_slug ON policy_version",
        """CREATE TRIGGER policy_version_label_slug BEFORE INSERT OR UPDATE ON policy_version
           FOR EACH ROW EXECUTE FUNCTION madoguchi_check_policy_label()""",
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


def missing_triggers(database):
    """The names of the triggers (and on PostgreSQL, trigger functions) that install_triggers
    would create but the database lacks, or whose function body differs; empty when all are in
    place. Reading the catalogue needs no rights, so the app's restricted role can ask too."""
    engine = _engine(database)
    if isinstance(engine, SqliteDatabase):
        wanted = _created_names(SQLITE_TRIGGERS)
        rows = database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return sorted(wanted - {name for (name,) in rows})
    wanted = _created_names(_postgres_triggers())
    rows = database.execute_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    missing = wanted - {name for (name,) in rows}
    installed = dict(database.execute_sql(
        "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = current_schema()::regnamespace"))
    for statement in POSTGRES_FUNCTIONS:
        name, body = re.search(r"FUNCTION (\w+)\(.*?\$\$(.*)\$\$", statement, re.DOTALL).groups()
        if installed.get(name) != body:
            missing.add(name)
    return sorted(missing)


def _created_names(statements):
    return {re.search(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+)", statement).group(1)
            for statement in statements if "CREATE TRIGGER" in statement}


def restrict_app_role(database, role):
    """Give `role` (the role the site connects as) exactly the rights the site needs, and no right
    to change the ledger. Run it as the tables' owner after init-db (again after an upgrade's
    init-db, for new tables); running it twice changes nothing:

        consent_event, ledger_checkpoint, staff_action: SELECT, INSERT only;
        policy_version and the other tables: SELECT, INSERT, UPDATE, DELETE (publishing a policy
            version updates its draft; the triggers freeze published versions);
        all sequences: USAGE, SELECT.

    No DDL right: the site never creates anything (init-db on a complete schema creates nothing
    either). The role must not own the tables nor be a superuser: either could take the rights
    back, which is why the site must not connect as one. Raises ValueError otherwise.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError("role names are lower-case letters, digits and underscores")
    superuser = database.execute_sql("SELECT rolsuper FROM pg_roles WHERE rolname = %s",
                                      (role,)).fetchone()
    if superuser is None:
        raise ValueError(f"there is no role {role}: create it first (CREATE ROLE {role} LOGIN "
                         f"PASSWORD '…')")
    if superuser[0]:
        raise ValueError(f"{role} is a superuser: no grant or revoke can restrict it")
    owners = {owner for (owner,) in database.execute_sql(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()")}
    if role in owners:
        raise ValueError(f"{role} owns the tables: the site must connect as another role")
    ledger = ", ".join(APPEND_ONLY_TABLES)
    others = ", ".join(model._meta.table_name for model in ALL_MODELS
                       if model._meta.table_name not in APPEND_ONLY_TABLES)
    with database.atomic():
        database.execute_sql(f'REVOKE ALL ON {ledger}, {others} FROM "{role}"')
        database.execute_sql(f'GRANT SELECT, INSERT ON {ledger} TO "{role}"')
        database.execute_sql(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {others} TO "{role}"')
        database.execute_sql(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
