"""The one form for adding and editing a book."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..book_rules import FIRST_PRINTED_YEAR, MAX_TAG_LENGTH, MAX_TEXT_LENGTH, isbn_in_use, latest_allowed_year
from ..isbn import InvalidISBN, normalize_isbn
from .services import DUPLICATE_ISBN_MESSAGE, parse_tag_names


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BookForm(FlaskForm):
    """``BookForm()`` to add a book, ``BookForm(obj=book)`` to edit one.

    The tags are a relationship on Book, so the form has a plain text field
    ``tag_names`` ("sf, classic") that is filled from ``book.tags`` and
    turned back into tags by the services.
    """

    title = StringField("Title", filters=[_strip], validators=[DataRequired(), Length(max=MAX_TEXT_LENGTH)])
    author = StringField("Author", filters=[_strip], validators=[DataRequired(), Length(max=MAX_TEXT_LENGTH)])
    isbn = StringField("ISBN", filters=[_strip], validators=[DataRequired()], description="ISBN-10 or ISBN-13")
    year = IntegerField("Year", validators=[Optional()])
    tag_names = StringField("Tags", filters=[_strip], description="Separate tags with commas")
    submit = SubmitField("Save")

    def __init__(self, *args, obj=None, **kwargs):
        if obj is not None:
            kwargs.setdefault("tag_names", ", ".join(tag.name for tag in obj.tags))
        super().__init__(*args, obj=obj, **kwargs)
        # The book being edited may keep its own ISBN.
        self.book_id = obj.id if obj is not None else None

    def validate_isbn(self, field):
        try:
            isbn = normalize_isbn(field.data)
        except InvalidISBN as exc:
            raise ValidationError(str(exc)) from None
        if isbn_in_use(isbn, exclude_book_id=self.book_id):
            raise ValidationError(DUPLICATE_ISBN_MESSAGE)

    def validate_year(self, field):
        if field.data is None:  # blank (Optional stopped) or not a number (already reported)
            return
        # Computed per validation, not at import: a long-running process must
        # accept next year's books after New Year.
        latest = latest_allowed_year()
        if not FIRST_PRINTED_YEAR <= field.data <= latest:
            raise ValidationError(f"Year must be between {FIRST_PRINTED_YEAR} and {latest}.")

    def validate_tag_names(self, field):
        if any(len(name) > MAX_TAG_LENGTH for name in parse_tag_names(field.data)):
            raise ValidationError(f"Each tag must be at most {MAX_TAG_LENGTH} characters.")
