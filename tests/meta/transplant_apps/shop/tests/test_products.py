"""Tests written for a context pushed around each test: url_for, Model queries and
factories with no ``with app.app_context():``."""

from flask import url_for

from shop.models import Product
from tests.factories import ProductFactory


def test_product_list_links_each_product(client, db):
    ProductFactory(sku="A-1")

    response = client.get(url_for("list_products"))

    assert response.json == [{"sku": "A-1", "url": "/products/A-1"}]


def test_adding_a_product_stores_it(client, db):
    response = client.post("/products", json={"sku": "B-2", "name": "Bolt"})

    assert response.status_code == 201
    assert db.session.scalar(db.select(Product.name).filter_by(sku="B-2")) == "Bolt"


def test_a_taken_sku_is_refused(client, db):
    ProductFactory(sku="C-3")

    response = client.post("/products", json={"sku": "C-3", "name": "Copy"})

    assert response.status_code == 409
