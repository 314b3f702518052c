"""CLI commands (email_advice)."""


def init_app(app):
    pass
