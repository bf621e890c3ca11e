"""Catalogue pages. Thin: read the request, call services, render or redirect."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..book_rules import MAX_BOOK_ID, DuplicateISBN, delete_book
from ..decorators import permission_required
from ..extensions import db
from ..models import Book
from ..permissions import Permission
from . import bp
from .forms import BookForm
from .services import (
    DUPLICATE_ISBN_MESSAGE,
    PageNotFound,
    create_book,
    list_books,
    parse_page,
    update_book,
    user_can_change,
)

# Ids above the largest integer primary key are a 404 from routing, before
# they reach the database (SQLite cannot bind integers over 64 bits).
BOOK_ID = f"<int(max={MAX_BOOK_ID}):book_id>"


def _book_or_404(book_id):
    return db.get_or_404(Book, book_id, description=f"There is no book with id {book_id}.")


def _changeable_book_or_403(book_id):
    book = _book_or_404(book_id)
    if not user_can_change(current_user, book):
        abort(403, description="You can only change your own books.")
    return book


@bp.route("/")
def index():
    try:
        page = parse_page(request.args.get("page"))
    except ValueError as exc:
        abort(400, description=str(exc))
    q = request.args.get("q", "").strip()
    try:
        pagination = list_books(page, current_app.config["BOOKS_PER_PAGE"], q=q)
    except PageNotFound as exc:
        abort(404, description=str(exc))
    return render_template("books/index.html", pagination=pagination, q=q)


@bp.route(f"/{BOOK_ID}")
def detail(book_id):
    book = _book_or_404(book_id)
    return render_template("books/detail.html", book=book, can_change=user_can_change(current_user, book))


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.WRITE)
def create():
    form = BookForm()
    if form.validate_on_submit():
        try:
            book = create_book(current_user, form.data)
        except DuplicateISBN:
            form.isbn.errors.append(DUPLICATE_ISBN_MESSAGE)
        else:
            flash(f'Added "{book.title}".', "success")
            return redirect(url_for("books.detail", book_id=book.id))
    return render_template("books/form.html", form=form, book=None)


@bp.route(f"/{BOOK_ID}/edit", methods=["GET", "POST"])
@login_required
def edit(book_id):
    book = _changeable_book_or_403(book_id)
    form = BookForm(obj=book)
    if form.validate_on_submit():
        try:
            update_book(book, form.data)
        except DuplicateISBN:
            form.isbn.errors.append(DUPLICATE_ISBN_MESSAGE)
        else:
            flash(f'Saved "{book.title}".', "success")
            return redirect(url_for("books.detail", book_id=book.id))
    return render_template("books/form.html", form=form, book=book)


@bp.route(f"/{BOOK_ID}/delete", methods=["POST"])
@login_required
def delete(book_id):
    book = _changeable_book_or_403(book_id)
    title = book.title
    delete_book(book)
    flash(f'Deleted "{title}".', "success")
    return redirect(url_for("books.index"))
