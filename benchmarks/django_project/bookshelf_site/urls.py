"""The project's one page: the paginated book list."""

from django.urls import path
from shelf.views import BookList

urlpatterns = [path("books/", BookList.as_view(), name="book-list")]
