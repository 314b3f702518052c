"""`flask --app app outbox send|status`: deliver queued mail, with retries and backoff.

`outbox send` may run beside the site's workers and beside other `outbox send` processes: each
mail is claimed before it is sent, so none goes out twice (madoguchi/outbox/store.py)."""
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
        """Deliver the mail that is due; failures are retried later with growing pauses, mail
        refused for good (5xx) is marked undeliverable."""
        while True:
            outcomes = notifications.deliver_pending(ignore_schedule=everything)
            click.echo(f"sent {outcomes['sent']}, will retry {outcomes['retrying']}, "
                       f"gave up {outcomes['failed']}, undeliverable {outcomes['undeliverable']}")
            if not loop:
                break
            time.sleep(loop)

    @group.command("status")
    def status():
        """How many mails are pending, sent, failed and undeliverable; the latest not delivered."""
        with models.database.connection_context():
            counts = outbox.summary()
            not_delivered = list(outbox.not_delivered())
        click.echo(", ".join(f"{name} {counts.get(name, 0)}" for name in outbox.STATUSES))
        for mail in not_delivered:
            click.echo(f"{mail.status}: {mail.inquiry_reference or '-'} {mail.kind or 'mail'} "
                       f"after {mail.attempts} attempt(s): {mail.last_error}")

    app.cli.add_command(group)
