"""The book forms: the one form for adding and editing a book, and the book
list's tag filter.

Their rules are the catalogue's (:mod:`sample_app.catalogue`), so a title the API
refuses is refused here with the same message.
"""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import ValidationError

from .. import catalogue
from ..models import Tag
from ..validators import rule


def _strip(value):
    # Shown again stripped when the form comes back with an error.
    return value.strip() if isinstance(value, str) else value


def _tags(text):
    return catalogue.check_tags(catalogue.split_tags(text, ","))


class BookForm(FlaskForm):
    """``BookForm()`` to add a book, ``BookForm(obj=book)`` to edit one.

    The tags are a relationship on Book, so the form has a plain text field
    ``tag_names`` ("sf, classic") that is filled from ``book.tags``. After
    ``validate()``, :meth:`clean_data` gives the values the catalogue takes.
    """

    title = StringField("Title", default="", filters=[_strip], validators=[rule(catalogue.check_text)])
    author = StringField("Author", default="", filters=[_strip], validators=[rule(catalogue.check_text)])
    isbn = StringField(
        "ISBN", default="", filters=[_strip], validators=[rule(catalogue.check_isbn)], description="ISBN-10 or ISBN-13"
    )
    year = StringField("Year", default="", filters=[_strip], validators=[rule(catalogue.parse_year)])
    tag_names = StringField(
        "Tags", default="", filters=[_strip], validators=[rule(_tags)], description="Separate tags with commas"
    )
    submit = SubmitField("Save")

    def __init__(self, *args, obj=None, **kwargs):
        if obj is not None:
            kwargs.setdefault("tag_names", ", ".join(tag.name for tag in obj.tags))
        super().__init__(*args, obj=obj, **kwargs)
        # The book being edited may keep its own ISBN.
        self.book_id = obj.id if obj is not None else None

    def validate_isbn(self, field):
        # After the field's own rule: only a valid ISBN is looked up.
        if catalogue.isbn_in_use(field.clean, exclude_book_id=self.book_id):
            raise ValidationError(str(catalogue.DuplicateISBN(field.clean)))

    def clean_data(self):
        """The validated values, as :func:`sample_app.catalogue.validate` returns them."""
        return {
            "title": self.title.clean,
            "author": self.author.clean,
            "isbn": self.isbn.clean,
            "year": self.year.clean,
            "tags": self.tag_names.clean,
        }


class TagFilterForm(FlaskForm):
    """The book list's tag filter, a GET form: ``TagFilterForm(request.args)``.

    Its choices are "Any tag" (value "") and every tag that has a book, read
    from the database when the form is made, on each request: choices set on
    the field itself would be read once, at import, and a new tag would never
    appear. A value is compared after the tags' own normalisation ("SF" is
    "sf"); one that is not a choice gets the field's "Not a valid choice."
    """

    class Meta:
        # A GET form: its URL is a link to share, and a search changes nothing.
        csrf = False

    tag = SelectField("Tag", default="", coerce=Tag.normalize)

    def __init__(self, formdata):
        super().__init__(formdata)
        self.tag.choices = [("", "Any tag"), *((name, name) for name in catalogue.tag_names())]
