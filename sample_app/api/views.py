from . import bp


@bp.route("/books")
def list_books():
    return {"items": []}
