"""The CSV import page: upload, import all or nothing, say what was wrong."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import importer
from ..decorators import admin_required
from . import bp
from .forms import ImportBooksForm


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_books():
    form = ImportBooksForm()
    errors = []
    if form.validate_on_submit():
        try:
            count = importer.import_books(form.csv_file.data.read(), current_user)
        except importer.CSVImportError as exc:
            errors = exc.errors
        else:
            flash(f"{count} records loaded", "success")
            return redirect(url_for("books.index"))
    # Any failed upload (form or file contents) is the client's mistake: 400.
    status = 400 if request.method == "POST" else 200
    return render_template("admin/import.html", form=form, errors=errors, columns=importer.COLUMNS), status
