"""Bookshelf: the Flask application that this repository's tests exercise."""

import os


def create_app(config_name="development", **overrides):
    """Application factory.

    ``config_name`` picks a class from :mod:`sample_app.config`; environment
    variables override it, and keyword ``overrides`` win over both, so a
    test can say ``create_app("testing", MAX_CONTENT_LENGTH=10)``.
    """
    # Imported here, not above: importing one light module of the package
    # (sample_app.text, sample_app.isbn) then leaves Flask, SQLAlchemy and
    # Alembic unloaded, which keeps a run of its tests quick to start.
    from flask import Flask

    from .config import env_overrides, get_config_class
    from .extensions import csrf, db, login_manager, migrate
    from .hooks import register_hooks
    from .logging_setup import configure_logging

    config_class = get_config_class(config_name)
    app = Flask(__name__)
    app.config.from_object(config_class)
    app.config.update(env_overrides(config_class, os.environ))
    app.config.update(overrides)
    config_class.validate(app.config)
    configure_logging(app.logger)

    # Hooks run in the order they are registered: these come before
    # Flask-WTF's CSRF check, so a request it refuses still gets its id.
    register_hooks(app)
    db.init_app(app)
    migrate.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from . import after_commit, models  # noqa: F401  (the models, the user loader, the session's listeners)
    from .admin import bp as admin_bp
    from .api import init_app as init_api
    from .auth import bp as auth_bp
    from .books import bp as books_bp
    from .main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(books_bp, url_prefix="/books")
    init_api(app)  # the api blueprint at /api/v1, and its OpenAPI document
    app.register_blueprint(admin_bp, url_prefix="/admin")

    from .commands import register_commands
    from .errors import register_error_handlers
    from .jobs import celery_init_app

    register_error_handlers(app)
    register_commands(app)
    celery_init_app(app)
    return app
