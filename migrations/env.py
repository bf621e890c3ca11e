"""Alembic's environment for Flask-Migrate: the engine and the models come from the app.

``flask db ...`` runs this inside the app context of ``create_app()``; the
migration tests (tests/functional/test_migrations.py) run it the same way, on
an app of their own.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config

# Logging as alembic.ini says, for `flask db ...` at a terminal. Where logging is
# configured already (pytest's own handlers, a host app), leave it alone: by
# default fileConfig() also disables every logger that exists, the app's among them.
if not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate = current_app.extensions["migrate"]
engine = migrate.db.engine  # Flask-SQLAlchemy 3: db.get_engine() is deprecated
config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
target_metadata = migrate.db.metadata


def run_migrations_offline():
    """Write the SQL (``flask db upgrade --sql``) instead of running it."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # `flask db migrate` with no change to the models writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = migrate.configure_args
    options.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
