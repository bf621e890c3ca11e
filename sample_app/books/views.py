from . import bp


@bp.route("/")
def index():
    return "books"


@bp.route("/new")
def create():
    return "new"


@bp.route("/<int:book_id>")
def detail(book_id):
    return "detail"
