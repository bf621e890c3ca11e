from . import bp


@bp.route("/import")
def import_books():
    return "import"
