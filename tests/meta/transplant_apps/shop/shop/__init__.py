"""Shop: a product list whose factory takes a settings module by import path."""

import sys

import click
from flask import Flask, abort, request, url_for
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


def create_app(config_object="shop.settings", **overrides):
    app = Flask(__name__)
    app.config.from_object(config_object)
    app.config.update(overrides)
    db.init_app(app)

    from .models import Product

    @app.get("/products")
    def list_products():
        query = db.select(Product).order_by(Product.sku).limit(app.config["PRODUCTS_PER_PAGE"])
        return [{"sku": p.sku, "url": url_for("show_product", sku=p.sku)} for p in db.session.scalars(query)]

    @app.get("/products/<sku>")
    def show_product(sku):
        product = db.one_or_404(db.select(Product).filter_by(sku=sku))
        return {"sku": product.sku, "name": product.name}

    @app.post("/products")
    def add_product():
        data = request.get_json()
        if db.session.scalar(db.select(Product).filter_by(sku=data["sku"])):
            abort(409, description=f"SKU {data['sku']} exists")
        db.session.add(Product(sku=data["sku"], name=data["name"]))
        db.session.commit()
        return {"sku": data["sku"]}, 201

    @app.cli.command("test", context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def run_tests(args):
        """Run the tests in this process, inside the command's app context (many projects do)."""
        import pytest

        sys.exit(pytest.main(["tests", *args]))

    return app
