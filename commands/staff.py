"""CLI commands (staff)."""


def init_app(app):
    pass
