from flask import Blueprint, current_app, request

from blog import db
from blog.models import Post

bp = Blueprint("posts", __name__)


@bp.post("/posts")
def create_post():
    data = request.get_json()
    post = Post(slug=data["slug"], title=data["title"], body=data.get("body", ""))
    db.session.add(post)
    db.session.commit()
    return {"slug": post.slug}, 201


@bp.get("/posts")
def list_posts():
    page = request.args.get("page", 1, type=int)
    query = db.select(Post).order_by(Post.id)
    posts = db.paginate(query, page=page, per_page=current_app.config["POSTS_PER_PAGE"], error_out=False)
    return {"slugs": [post.slug for post in posts.items]}


@bp.get("/search")
def search():
    found = current_app.extensions["search_index"].get(request.args["q"].lower(), set())
    return {"slugs": sorted(found)}
