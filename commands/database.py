"""`flask --app app init-db`: create the schema and load policy version 1 (idempotent)."""
import click

from madoguchi import database_setup


def init_app(app):
    @app.cli.command("init-db")
    def init_db_command():
        """Create the tables, their append-only triggers and policy version 1."""
        database_setup.create_schema()
        click.echo("Database ready.")
