from flask import render_template

from . import bp
from .services import recent_books, shelf_stats


@bp.route("/")
def index():
    return render_template("main/index.html", stats=shelf_stats(), recent=recent_books())


@bp.route("/about")
def about():
    return render_template("main/about.html")
