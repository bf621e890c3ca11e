"""The benchmark's Django app: a shelf of books, listed page by page."""
