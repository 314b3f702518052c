"""CLI commands (demo)."""


def init_app(app):
    pass
