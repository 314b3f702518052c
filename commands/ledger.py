"""`flask --app app ledger verify|export|receipt|restrict-role` and
`flask --app app subject show|withdraw|erase EMAIL`: the consent ledger from the command line.

Output is English (operators and auditors); the domain work is in madoguchi/ (ledger_verify,
ledger_export, receipts, subjects_admin). Personal data is printed only by `subject show`, whose
purpose is a disclosure request.
"""
import getpass
import json
import os
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from commands.database import grant_app_role
from madoguchi.ledger import receipts
from madoguchi.ledger.canonical import format_time
from madoguchi.ledger.store import anchors as anchor_store
from madoguchi.ledger.store import audit
from madoguchi.ledger.store import exports as ledger_export
from madoguchi.ledger.store import verification as ledger_verify
from madoguchi.ledger.store.formats import jst
from madoguchi.policy.store import versions as policy_store
from madoguchi.staff.store import log as staff_log
from madoguchi.subjects import store as subjects_admin
from models import ConsentEvent

DATE = click.DateTime(formats=["%Y-%m-%d"])
WORKERS = click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
                       show_default="the number of CPUs",
                       help="Processes reading a long ledger side by side.")


def init_app(app):
    app.cli.add_command(ledger_group)
    app.cli.add_command(subject_group)


def _operator():
    """Who ran a command that changes data, for the staff actions log."""
    return f"cli:{getpass.getuser()}"


# AppGroup: every command runs inside the app context (current_app), also under the test runner.
ledger_group = AppGroup("ledger", help="The consent ledger: verify, export, receipts.")
subject_group = AppGroup("subject", help="One person's consents and inquiries, by email.")


@ledger_group.command("verify")
@WORKERS
@click.option("--anchors", "anchor_path", type=click.Path(exists=True, dir_okay=False),
              help="Anchor log to compare the ledger with (default: LEDGER_ANCHOR_PATH's).")
def verify(workers, anchor_path):
    """Check the whole chain, its checkpoints, the policy texts and the inquiries' consents, and
    compare the ledger with its anchor log outside the database."""
    config = current_app.config
    result = ledger_verify.verify(config["LEDGER_KEY"], config["DATABASE_URL"], workers,
                                  anchor_path=anchor_path or config.get("LEDGER_ANCHOR_PATH"))
    click.echo(result.summary())
    for damage in result.in_order()[1:]:
        click.echo(f"also {'' if damage.seq is None else 'at '}{damage}")
    if result.anchors:
        click.echo(result.anchors.summary(), err=result.anchors.unanchored)
    sys.exit(0 if result.ok else 1)


@ledger_group.command("export")
@click.option("--format", "fmt", type=click.Choice(ledger_export.FORMATS), default="csv",
              show_default=True)
@click.option("--since", type=DATE, help="First day (YYYY-MM-DD, Japan time).")
@click.option("--until", type=DATE, help="Last day, inclusive (YYYY-MM-DD, Japan time).")
@click.option("--version", "version", help="Only events citing this policy version label.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Export file; the manifest goes next to it as FILE.manifest.json.")
@WORKERS
def export(fmt, since, until, version, output, workers):
    """Write the ledger as CSV (Excel) or JSON Lines, streamed, with a manifest."""
    since, until = since and since.date(), until and until.date()
    if since and until and until < since:
        raise click.BadParameter("--until must not be before --since", param_hint="--until")
    if version and policy_store.by_label(version) is None:
        raise click.BadParameter(f"no published policy version {version!r}",
                                 param_hint="--version")
    output = output or f"consent-ledger-{datetime.now():%Y%m%d-%H%M%S}.{fmt}"
    config = current_app.config
    last_anchor = anchor_store.last_anchor(config.get("LEDGER_ANCHOR_PATH"), config["LEDGER_KEY"])
    manifest = ledger_export.write_export(output, fmt, since, until, version, config["DATABASE_URL"],
                                          workers, last_anchor)
    staff_log.record(_operator(), audit.EXPORTED, target=f"{fmt} {manifest['filters']}")
    click.echo(f"Wrote {manifest['count']} events (seq {manifest['first_seq']} to "
               f"{manifest['last_seq']}) to {output}; manifest "
               f"{ledger_export.manifest_path(output)}; SHA-256 {manifest['sha256']}")


@ledger_group.command("receipt")
@click.argument("seq", type=int)
def receipt(seq):
    """Print event SEQ as a Kantara Consent Receipt v1.1 (JSON)."""
    event = ConsentEvent.get_or_none(ConsentEvent.seq == seq)
    if event is None:
        raise click.ClickException(f"there is no event with seq {seq}")
    text = policy_store.text_of(event.policy_version, event.locale)
    click.echo(json.dumps(receipts.consent_receipt(event, text, current_app.config),
                          ensure_ascii=False, indent=2))


@ledger_group.command("restrict-role")
@click.argument("role")
def restrict_role(role):
    """(PostgreSQL) The same as `flask grant-app-role ROLE`: the ledger read and add only."""
    grant_app_role(role)


def _inquiries(count):
    return f"{count} inquiry" if count == 1 else f"{count} inquiries"


def _subject(email):
    return subjects_admin.subject_for_email(email, current_app.config["SUBJECT_KEY"])


@subject_group.command("show")
@click.argument("email")
def show(email):
    """Every consent event and inquiry of the person (for a disclosure request)."""
    record = subjects_admin.show(_subject(email))
    click.echo(f"subject key {record.subject_key}")
    if not record.known:
        click.echo("Nothing is stored about this email address.")
        return
    state = "withdrawn" if record.consent_withdrawn else "given"
    click.echo(f"consent: {state}; personal data: {'ERASED' if record.erased else 'stored'}")
    click.echo(f"events ({len(record.events)}):")
    for event in record.events:
        click.echo(f"  seq {event.seq}  {event.kind:<9} {event.occurred_at} (JST {jst(event.occurred_at)})"
                   f"  policy {event.policy_version} [{event.locale}]  {event.method}"
                   f"  {event.inquiry_ref}")
    click.echo(f"inquiries ({len(record.inquiries)}):")
    for inquiry in record.inquiries:
        created = format_time(inquiry.created_at)
        click.echo(f"  {inquiry.reference}  {created} (JST {jst(created)})  {inquiry.category}  "
                   f"{inquiry.status}  consent seq {inquiry.consent_seq}")
        if inquiry.erased_at:
            click.echo(f"    erased at {format_time(inquiry.erased_at)}")
            continue
        for label in ("name", "email", "phone", "order_number"):
            click.echo(f"    {label}: {getattr(inquiry, label)}")
        click.echo("    message: " + inquiry.message.replace("\n", "\n             "))


@subject_group.command("withdraw")
@click.argument("email")
def withdraw(email):
    """Record that the person withdrew their consent (a new `withdrawn` event)."""
    key = _subject(email)
    event = subjects_admin.withdraw(key, current_app.config["LEDGER_KEY"],
                                    anchor_log=anchor_store.AnchorLog.from_settings(current_app.config))
    if event is None:
        click.echo("Nothing to withdraw: no consent on record, or withdrawn already.")
        return
    staff_log.record(_operator(), subjects_admin.WITHDRAWN_ACTION, target=key, detail=f"seq {event.seq}")
    click.echo(f"Withdrawn: event seq {event.seq}.")


@subject_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(email, yes):
    """Erase the person's name, email, phone, order number and message; record `erased`."""
    key = _subject(email)
    record = subjects_admin.show(key)
    if not record.known:
        click.echo("Nothing is stored about this email address.")
        return
    pending = sum(1 for inquiry in record.inquiries if inquiry.erased_at is None)
    if not yes:
        click.confirm(f"Erase the personal data of {_inquiries(pending)} of this person? "
                      "This cannot be undone.", abort=True)
    sink_dir = current_app.config["MAIL_SINK_DIR"]
    result = subjects_admin.erase(key, current_app.config["LEDGER_KEY"], sink_dir,
                                  anchor_log=anchor_store.AnchorLog.from_settings(current_app.config))
    if result is None:
        # Erased by an earlier release, which left the mail sink's copies: remove them now.
        leftover = subjects_admin.remove_mail_copies(key, sink_dir)
        click.echo("Nothing to erase: erased already." + _sink_files(leftover))
        return
    staff_log.record(_operator(), subjects_admin.ERASED_ACTION, target=key, detail=f"seq {result.event.seq}")
    click.echo(f"Erased {_inquiries(result.inquiries)} and {result.mails} mail(s); "
               f"event seq {result.event.seq}. The ledger keeps only the pseudonymous key."
               + _sink_files(result.sink_files))


def _sink_files(count):
    return f" Deleted {count} .eml file(s) from the mail sink." if count else ""
