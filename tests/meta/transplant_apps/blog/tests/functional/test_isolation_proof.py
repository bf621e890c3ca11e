"""The isolation proof: both tests commit the same unique row, in either order."""

from blog.models import Post

SLUG = "committed-in-one-test"


def commit_post(db):
    db.session.add(Post(slug=SLUG, title="Hello"))
    db.session.commit()


def count_posts(db):
    return db.session.scalar(db.select(db.func.count()).where(Post.slug == SLUG))


def test_committed_row_is_rolled_back_after_test_first(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
        assert count_posts(db) == 0
        commit_post(db)
    with app.app_context():
        assert count_posts(db) == 1


def test_committed_row_is_rolled_back_after_test_second(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
        assert count_posts(db) == 0
        commit_post(db)
        assert count_posts(db) == 1
