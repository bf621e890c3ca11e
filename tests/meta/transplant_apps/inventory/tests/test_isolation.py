"""The isolation proof: both tests commit the same unique row, in either order."""

from inventory.models import Category, Item

SKU = "COMMITTED-ONCE"


def commit_item(db):
    db.session.add(Item(sku=SKU, name="Hammer", category=db.session.scalar(db.select(Category).limit(1))))
    db.session.commit()


def count_items(db):
    return db.session.scalar(db.select(db.func.count()).where(Item.sku == SKU))


def test_committed_row_is_rolled_back_after_test_first(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
        assert count_items(db) == 0
        commit_item(db)
    with app.app_context():
        assert count_items(db) == 1


def test_committed_row_is_rolled_back_after_test_second(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
        assert count_items(db) == 0
        commit_item(db)
        assert count_items(db) == 1
