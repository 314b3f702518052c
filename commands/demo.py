"""`flask --app app demo populate --inquiries N`: fill the database with realistic fake inquiries."""
import click
from flask import current_app
from flask.cli import AppGroup

import models
from madoguchi import demo_data
from madoguchi.ledger.store.anchors import AnchorLog


def init_app(app):
    group = AppGroup("demo", help="Fake data for trying the site and for benchmarks.")

    @group.command("populate")
    @click.option("--inquiries", "count", type=click.IntRange(1, 10_000_000), default=100, show_default=True)
    @click.option("--seed", type=int, default=None, help="Same seed, same data.")
    def populate(count, seed):
        """Add COUNT fake inquiries, each with its consent event in the ledger (no mail is sent)."""
        with models.database.connection_context():
            demo_data.populate(count, subject_secret=current_app.config["SUBJECT_KEY"],
                               ledger_key=current_app.config["LEDGER_KEY"], seed=seed,
                               anchor_log=AnchorLog.from_settings(current_app.config))
        click.echo(f"Added {count} inquiries with their consent events.")

    app.cli.add_command(group)
