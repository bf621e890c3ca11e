"""A model test: the harness's session, no request."""

from blog.models import Post


def test_post_body_defaults_to_empty(app, db):
    with app.app_context():
        db.session.add(Post(slug="empty", title="Empty"))
        db.session.commit()

        assert db.session.scalar(db.select(Post.body).filter_by(slug="empty")) == ""
