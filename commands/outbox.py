"""CLI commands (outbox)."""


def init_app(app):
    pass
