"""`flask --app app init-db`: create the schema and load policy version 1 (idempotent)."""
import click
from flask import current_app

import models


def init_app(app):
    @app.cli.command("init-db")
    def init_db_command():
        """Create the tables, their append-only triggers and policy version 1."""
        models.init_db(current_app)
        click.echo("Database ready.")
