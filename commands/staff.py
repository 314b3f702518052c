"""CLI for staff accounts and policy versions, for set-up and automation.

    flask --app app users create --role admin --email EMAIL    (password prompted twice, or
                                                                from MADOGUCHI_PASSWORD)
    flask --app app users list | users disable EMAIL
    flask --app app policy publish --label 2 --ja v2.ja.md --en v2.en.md [--effective TIME]
        [--significant] [--summary-ja TEXT] [--summary-en TEXT]   (significant: both summaries)
    flask --app app policy list
There is no default account and no default password: the first admin is created here.
"""
import getpass
import os
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup

from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin
from madoguchi.policy.store import versions as policy_store
from madoguchi.staff import rules as staff_rules
from madoguchi.staff.store import accounts as staff_accounts

PASSWORD_ENV = "MADOGUCHI_PASSWORD"

users = AppGroup("users", help="Staff accounts.")
policy = AppGroup("policy", help="Privacy-policy versions.")


def _cli_actor():
    """Who the staff actions log names for a command: the operating-system account."""
    return f"cli:{getpass.getuser()}"


@contextmanager
def refusals_as_errors():
    """A refusal of the domain (AccountError, PolicyError) ends the command with its reason, exit 1."""
    try:
        yield
    except (staff_rules.AccountError, revisions.PolicyError) as error:
        raise click.ClickException(str(error)) from None


@users.command("create")
@click.option("--role", required=True, type=click.Choice(staff_rules.ROLES))
@click.option("--email", required=True)
def create_user(role, email):
    """Create an account; the password comes from $MADOGUCHI_PASSWORD or is asked for twice."""
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    with refusals_as_errors():
        user = staff_accounts.create_user(email, role, password, _cli_actor(),
                                          hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    click.echo(f"created {user.role} {user.email}")


@users.command("list")
def list_users():
    """Every account: email, role, state (and the client networks its sign-in is locked for)."""
    now, secret = utcnow(), current_app.config["SECRET_KEY"]
    for user in staff_accounts.all_users():
        state = "active" if user.active else "disabled"
        for network in staff_accounts.locked_networks(user.email, now, secret):
            state += f", locked from {network}"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@users.command("disable")
@click.argument("email")
def disable_user(email):
    """Disable an account: it can no longer sign in, and every session it has ends at once."""
    with refusals_as_errors():
        user = staff_accounts.disable_user(email, _cli_actor())
    click.echo(f"disabled {user.email}")


@policy.command("publish")
@click.option("--label", required=True)
@click.option("--ja", "ja_file", required=True, type=click.File(encoding="utf-8"))
@click.option("--en", "en_file", required=True, type=click.File(encoding="utf-8"))
@click.option("--effective", help="ISO 8601 time; Japan time unless it has an offset. Default: now.")
@click.option("--significant", is_flag=True, help="Announce the change on the public pages.")
@click.option("--summary-ja", "--summary", "summary_ja", default="",
              help="What changed, in Japanese (shown to customers; needed with --significant).")
@click.option("--summary-en", default="", help="What changed, in English (needed with --significant).")
def publish(label, ja_file, en_file, effective, significant, summary_ja, summary_en):
    """Publish a new version at once (it takes effect at --effective, or now)."""
    with refusals_as_errors():
        version = policy_admin.publish_new({
            "label": label, "text_ja": ja_file.read(), "text_en": en_file.read(),
            "change_summary": summary_ja.strip(), "change_summary_en": summary_en.strip(),
            "significant": significant,
            "effective_at": revisions.parse_effective(effective) if effective else utcnow(),
        }, _cli_actor())
    click.echo(f"published {version.label}, effective {_jst(version.effective_at)}")


@policy.command("list")
def list_versions():
    """Every version: label, effective time (JST), status, significant, SHA-256 prefixes."""
    now = utcnow()
    current = policy_store.current_version(now)
    for version in policy_admin.all_versions():
        status = revisions.status_of(version, current, now)
        click.echo("\t".join([version.label, _jst(version.effective_at), status,
                              "significant" if version.significant else "-",
                              f"ja:{version.sha256_ja[:12] or '-'}", f"en:{version.sha256_en[:12] or '-'}"]))


def _jst(moment):
    return revisions.utc_to_jst(moment).strftime("%Y-%m-%d %H:%M JST")


def init_app(app):
    app.cli.add_command(users)
    app.cli.add_command(policy)
