"""The isolation proof: both tests commit the same unique row, in either order."""

from shop.models import Product
from tests.factories import ProductFactory

SKU = "COMMITTED-ONCE"


def count(db):
    return db.session.scalar(db.select(db.func.count()).where(Product.sku == SKU))


def test_committed_row_is_rolled_back_after_test_first(db, assert_in_test_transaction):
    assert_in_test_transaction(db.session)
    ProductFactory(sku=SKU)

    assert count(db) == 1


def test_committed_row_is_rolled_back_after_test_second(db, assert_in_test_transaction):
    assert_in_test_transaction(db.session)
    ProductFactory(sku=SKU)

    assert count(db) == 1
