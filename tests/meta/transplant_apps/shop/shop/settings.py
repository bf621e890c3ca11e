"""Settings as a module, given to the factory by its import path (cookiecutter-flask's shape)."""

import os

SECRET_KEY = os.environ.get("SHOP_SECRET_KEY", "not-a-secret")
SQLALCHEMY_DATABASE_URI = os.environ.get("SHOP_DATABASE_URL", "sqlite:///shop.sqlite")
PRODUCTS_PER_PAGE = 10
