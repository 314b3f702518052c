"""`flask --app app ...` commands, one module per area; each module has `init_app(app)`."""
from commands import database, demo, email_advice, ledger, outbox, staff


def init_app(app):
    for module in (database, demo, email_advice, ledger, outbox, staff):
        module.init_app(app)
