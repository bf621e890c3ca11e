"""Catalogue pages. Thin: read the request, call the catalogue, render or redirect.

The catalogue's exceptions become error pages through sample_app.errors, except
a missing book, which gets this blueprint's own page; a failed ISBN lookup
(:mod:`sample_app.lookup`) becomes a flashed message.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import catalogue, lookup
from ..decorators import permission_required
from ..permissions import Permission
from ..text import whole_number
from . import bp
from .forms import BookForm, TagFilterForm

# Ids above the largest integer primary key are a 404 from routing, before
# they reach the database (SQLite cannot bind integers over 64 bits).
BOOK_ID = f"<int(max={catalogue.MAX_BOOK_ID}):book_id>"


# A blueprint's error handlers see only what its views raise. A URL under /books/
# that matches no route never reaches a view: it gets the app's 404 page.
@bp.errorhandler(catalogue.BookNotFound)
def book_not_found(error):
    return render_template("books/not_found.html", message=str(error)), 404


@bp.route("/")
def index():
    page = whole_number(request.args.get("page"), "page", 1)
    q = request.args.get("q", "").strip()
    tag_form = TagFilterForm(request.args)
    # A tag that is not a choice is the form's error; the list is then not filtered.
    tag = tag_form.tag.data if tag_form.validate() else ""
    pagination = catalogue.search_books(page, current_app.config["BOOKS_PER_PAGE"], q=q, tag=tag)
    return render_template("books/index.html", pagination=pagination, q=q, tag=tag, tag_form=tag_form)


@bp.route(f"/{BOOK_ID}")
def detail(book_id):
    book = catalogue.get_book(book_id)
    return render_template("books/detail.html", book=book, can_change=book.can_be_changed_by(current_user))


def _save(form, save):
    """Run ``save`` on a valid form; a duplicate ISBN found only then is a form error."""
    if not form.validate_on_submit():
        return None
    try:
        return save(form.clean_data())
    except catalogue.DuplicateISBN as exc:
        form.isbn.errors.append(str(exc))
        return None


def _looked_up(isbn):
    """The add form filled in with the details of ``isbn`` from the external
    catalogue; when the lookup fails, with the ISBN only and a flashed reason."""
    try:
        details = lookup.fetch_book_details(isbn, current_app.config)
    except lookup.LookupFailed as exc:
        flash(str(exc), "error")
        return BookForm(data={"isbn": isbn})
    flash("Filled in from the lookup service: check the details, then save.", "info")
    return BookForm(data={"isbn": isbn, **details})


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.WRITE)
def create():
    # GET /books/new?lookup=<isbn> fills the form in; a POST saves what was posted.
    isbn = request.args.get("lookup", "").strip()
    form = _looked_up(isbn) if isbn and request.method == "GET" else BookForm()
    book = _save(form, lambda data: catalogue.add_book(current_user, data))
    if book is not None:
        flash(f'Added "{book.title}".', "success")
        return redirect(url_for("books.detail", book_id=book.id))
    return render_template("books/form.html", form=form, book=None)


@bp.route(f"/{BOOK_ID}/edit", methods=["GET", "POST"])
@login_required
def edit(book_id):
    book = catalogue.book_to_change(book_id, current_user)
    form = BookForm(obj=book)
    if _save(form, lambda data: catalogue.change_book(book, data)) is not None:
        flash(f'Saved "{book.title}".', "success")
        return redirect(url_for("books.detail", book_id=book.id))
    return render_template("books/form.html", form=form, book=book)


@bp.route(f"/{BOOK_ID}/delete", methods=["POST"])
@login_required
def delete(book_id):
    book = catalogue.book_to_change(book_id, current_user)
    title = book.title
    catalogue.delete_book(book)
    flash(f'Deleted "{title}".', "success")
    return redirect(url_for("books.index"))
