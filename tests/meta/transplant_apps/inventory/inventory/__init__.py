"""Inventory: a small stock-keeping API whose factory takes a config name."""

import os

from flask import Flask, abort, request

from .models import Category, Item, db

CONFIGS = {
    "production": {"SQLALCHEMY_DATABASE_URI": "sqlite:///inventory.sqlite"},
    "testing": {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
}


def create_app(config_name="production", **overrides):
    app = Flask(__name__)
    app.config.update(CONFIGS[config_name])
    # Read when the app is built, not at import: the harness's guard can clear it.
    app.config["SECRET_KEY"] = os.environ.get("INVENTORY_SECRET_KEY", "dev")
    app.config["LOW_STOCK"] = int(os.environ.get("INVENTORY_LOW_STOCK", "5"))
    app.config.update(overrides)
    db.init_app(app)

    @app.post("/items")
    def add_item():
        data = request.get_json()
        category = db.session.scalar(db.select(Category).filter_by(name=data["category"]))
        if category is None:
            abort(400, description=f"no category {data['category']!r}")
        item = Item(sku=data["sku"], name=data["name"], quantity=data.get("quantity", 0), category=category)
        db.session.add(item)
        db.session.commit()
        return item.to_dict(), 201

    @app.delete("/items/<sku>")
    def retire_item(sku):
        item = db.first_or_404(db.select(Item).filter_by(sku=sku))
        db.session.delete(item)
        db.session.commit()
        return "", 204

    @app.get("/items/low")
    def low_stock():
        query = db.select(Item).where(Item.quantity < app.config["LOW_STOCK"], Item.retired.is_(False))
        return [item.to_dict() for item in db.session.scalars(query.order_by(Item.sku))]

    return app
