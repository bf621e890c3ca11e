"""The list page the benchmark's last row fetches: Django's ``ListView``, paginated."""

from django.views.generic import ListView

from .models import Book


class BookList(ListView):
    """``/books/?page=N``: ten books a page, in the model's order."""

    model = Book
    paginate_by = 10
