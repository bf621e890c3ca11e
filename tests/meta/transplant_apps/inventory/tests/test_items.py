"""The app's own session class, reference data, settings and password hash, under the harness."""

import os

from inventory.models import Category, Clerk, Item


def test_reference_categories_are_there_in_every_test(app, db):
    with app.app_context():
        names = db.session.scalars(db.select(Category.name).order_by(Category.name)).all()

    assert names == ["consumables", "parts", "tools"]


def test_delete_retires_an_item_through_the_apps_session_class(client, app, db):
    client.post("/items", json={"sku": "W-1", "name": "Washer", "category": "parts"})

    response = client.delete("/items/W-1")

    assert response.status_code == 204
    with app.app_context():
        item = db.session.scalar(db.select(Item).filter_by(sku="W-1"))
        assert item.retired is True


def test_low_stock_uses_the_default_threshold_whatever_the_shell_says(client):
    for sku, quantity in [("S-4", 4), ("S-5", 5)]:
        client.post("/items", json={"sku": sku, "name": "Screw", "category": "parts", "quantity": quantity})

    response = client.get("/items/low")

    assert [item["sku"] for item in response.get_json()] == ["S-4"]
    assert "INVENTORY_LOW_STOCK" not in os.environ


def test_clerk_passwords_use_the_fast_hash_in_tests(app, db):
    with app.app_context():
        clerk = Clerk(email="clerk@example.com")
        clerk.set_password("a long passphrase")

    assert clerk.password_hash.startswith("pbkdf2:sha256:1$")
    assert clerk.check_password("a long passphrase")
