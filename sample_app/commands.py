"""CLI commands registered on the app (stub: being built)."""


def register_commands(app):
    pass
