"""Blog: the Flask Mega-Tutorial's shape. The factory takes a config class."""

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from config import Config

db = SQLAlchemy()


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)
    db.init_app(app)
    app.extensions["search_index"] = {}

    from blog.routes import bp

    app.register_blueprint(bp)
    return app


from blog import models  # noqa: E402,F401  (registers the models and their listeners)
