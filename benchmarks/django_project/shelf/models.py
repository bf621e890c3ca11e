"""One model with a unique column, as the Flask app's ``Book`` has (its ``isbn``)."""

from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Newest first, as the Flask app lists its books; a stable order for the paginator.
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
