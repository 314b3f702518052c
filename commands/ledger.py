"""CLI commands (ledger)."""


def init_app(app):
    pass
