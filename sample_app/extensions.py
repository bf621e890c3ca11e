"""Extensions are created here without an app and bound in ``create_app``."""

import sys

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Every constraint gets a name a migration can refer to: SQLite gives an
    # unnamed one none, and then it cannot be dropped or changed later.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
# render_as_batch: SQLite cannot ALTER a column or drop one in place; batch
# operations copy the table instead, so every migration runs on both backends.
migrate = Migrate(db=db, render_as_batch=True)


@migrate.configure
def _print_to_the_current_stdout(config):
    # Alembic's Config binds sys.stdout when alembic is imported, so output of
    # `flask db` under a CLI runner (tests) would miss the runner's stdout.
    config.stdout = sys.stdout
    return config


login_manager = LoginManager()
csrf = CSRFProtect()
