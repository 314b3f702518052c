"""`flask --app app email-advice [--json] [--lang ja|en] ADDRESS...`: the form's email advice for support staff.

When a customer says our mail never came, staff paste the address here and see what the form
would have said. With --json, one JSON object per address and line, in the order given.
Advice is not failure: the exit code is 0 whatever the addresses are.
"""
import json

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from madoguchi.email.advice import advise


def init_app(app):
    app.cli.add_command(email_advice_command)


@click.command("email-advice")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per address and line.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="Language of the messages.")
@click.argument("addresses", nargs=-1, required=True)
@with_appcontext
def email_advice_command(as_json, lang, addresses):
    """Show the advice the contact form gives on each ADDRESS."""
    with force_locale(lang):
        for address in addresses:
            advice = advise(address, translate=_)
            click.echo(json.dumps(advice.to_json(), ensure_ascii=False) if as_json else summary(advice))


def summary(advice):
    """A few lines a support person reads at a glance: the verdict, then every message."""
    facts = [_("Can receive our mail: %(answer)s", answer=_("yes") if advice.valid else _("no"))]
    if advice.rfc_case:
        facts.append(_("RFC case: %(case)s", case=advice.rfc_case))
    if advice.provider:
        facts.append(_("Provider: %(provider)s", provider=advice.provider))
    if advice.quoted:
        facts.append(_("Quoted local part"))
    if advice.fullwidth:
        facts.append(_("Full-width characters typed"))
    lines = [advice.input, "  " + " · ".join(facts)]
    if advice.normalized != advice.input:
        lines.append("  " + _("Normalized: %(address)s", address=advice.normalized))
    if advice.suggestion:
        lines.append("  " + _("Suggestion: %(address)s", address=advice.suggestion))
    level_names = {"error": _("error"), "warning": _("warning"), "info": _("info")}
    lines += [f"  {level_names[m.level]} [{m.code}] {m.text}" for m in advice.messages]
    return "\n".join(lines) + "\n"
