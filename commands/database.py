"""`flask --app app init-db` (create the schema and load policy version 1; idempotent, safe to run
by several processes at once) and `flask --app app grant-app-role ROLE` (PostgreSQL: the rights of
the role the site connects as)."""
from collections import Counter

import click
from flask import current_app

from madoguchi import database_setup
from madoguchi.ledger.store import triggers
from models import database


def init_app(app):
    @app.cli.command("init-db")
    def init_db_command():
        """Create the tables, their append-only triggers and policy version 1 where missing."""
        created = Counter(name.split()[0] for name in database_setup.create_schema())
        click.echo("Database ready (created: " + ", ".join(f"{kind} {count}" for kind, count
                                                         in created.items()) + ")."
                   if created else "Database ready (the schema was complete).")

    @app.cli.command("grant-app-role")
    @click.argument("role")
    def grant_app_role_command(role):
        """(PostgreSQL) Grant ROLE, the role the site connects as, what it needs: read and add to
        the ledger tables, read and change the others, no DDL. Run as the tables' owner."""
        grant_app_role(role)


def grant_app_role(role):
    if not current_app.config["DATABASE_URL"].startswith("postgres"):
        raise click.ClickException("roles exist on PostgreSQL only")
    try:
        with database.connection_context():
            triggers.restrict_app_role(database, role)
    except ValueError as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{role} may now read and add to {', '.join(triggers.APPEND_ONLY_TABLES)}, and read "
               f"and change the other tables; it may not create, change or drop any.")
