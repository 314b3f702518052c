"""`flask --app app outbox send|status`: deliver queued mail, with retries and backoff."""
import time

import click
from flask.cli import AppGroup

import models
import notifications
from madoguchi.outbox import store as outbox


def init_app(app):
    group = AppGroup("outbox", help="Mail waiting to be delivered.")

    @group.command("send")
    @click.option("--all", "everything", is_flag=True, help="Also retry mail whose next attempt is not due yet.")
    @click.option("--loop", type=int, default=0, metavar="SECONDS", help="Keep running, delivering every SECONDS.")
    def send(everything, loop):
        """Deliver the mail that is due; failures are retried later with growing pauses."""
        while True:
            sent, retrying, failed = notifications.deliver_pending(ignore_schedule=everything)
            click.echo(f"sent {sent}, will retry {retrying}, gave up {failed}")
            if not loop:
                break
            time.sleep(loop)

    @group.command("status")
    def status():
        """How many mails are pending, sent and failed."""
        with models.database.connection_context():
            counts = outbox.summary()
        click.echo(", ".join(f"{name} {counts.get(name, 0)}" for name in ("pending", "sent", "failed")))

    app.cli.add_command(group)
