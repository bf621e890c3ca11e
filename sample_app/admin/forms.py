"""Forms of the admin pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField
from wtforms.validators import StopValidation

from .services import check_upload_filename


def safe_filename(form, field):
    """Stop at a bad file name: checking its extension would add nothing."""
    try:
        check_upload_filename(field.data.filename)
    except ValueError as exc:
        raise StopValidation(str(exc)) from None


class ImportBooksForm(FlaskForm):
    csv_file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to upload."),
            safe_filename,
            FileAllowed(["csv"], "Only .csv files can be imported."),
        ],
    )
    submit = SubmitField("Import")
