import sqlalchemy as sa
from flask import current_app

from blog import db


class Post(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    slug = sa.Column(sa.String(80), unique=True, nullable=False)
    title = sa.Column(sa.String(120), nullable=False)
    body = sa.Column(sa.Text, nullable=False, default="")


def remember_new_posts(session):
    session.info["new_posts"] = [obj for obj in session.new if isinstance(obj, Post)]


def index_new_posts(session):
    # After the commit, as the Mega-Tutorial's SearchableMixin does for Elasticsearch.
    index = current_app.extensions["search_index"]
    for post in session.info.pop("new_posts", []):
        for word in post.title.lower().split():
            index.setdefault(word, set()).add(post.slug)


db.event.listen(db.session, "before_commit", remember_new_posts)
db.event.listen(db.session, "after_commit", index_new_posts)
