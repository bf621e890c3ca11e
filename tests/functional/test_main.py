"""Functional tests of the home and about pages: counts and recent books from
the database, their order, escaping, and the navigation for visitors and users.

Patterns: database content in the page; explicit timestamps for ordering; HTML
escaping proof; client and runner fixtures; logged-in client fixtures.
"""

from sample_app.models import Book, User
from tests.helpers import day, row_count


def test_home_page_shows_the_counts_stored_in_the_database(app, db, client, make_user, make_book):
    # GIVEN three books owned by two users
    first, second = make_user(), make_user()
    make_book(owner=first)
    make_book(owner=first)
    make_book(owner=second)
    books = row_count(app, db, Book)
    readers = row_count(app, db, User)

    # WHEN the home page is requested
    response = client.get("/")

    # THEN the numbers of books and users in the database appear in the sentence
    assert response.status_code == 200
    assert (books, readers) == (3, 2)
    assert "3 books catalogued by 2 readers." in response.text


def test_home_page_uses_the_singular_for_one_book_and_one_reader(client, make_book):
    # GIVEN one book, whose owner is the only user
    make_book()

    # WHEN the home page is requested
    response = client.get("/")

    # THEN the sentence says "1 book" and "1 reader", not "1 books"
    assert "1 book catalogued by 1 reader." in response.text


def test_home_page_counts_readers_without_books(client, make_user):
    # GIVEN two users and no books
    make_user()
    make_user()

    # WHEN the home page is requested
    page = client.get("/").text

    # THEN every registered user counts as a reader
    assert "0 books catalogued by 2 readers." in page


def test_home_page_of_an_empty_shelf(client):
    # GIVEN no users and no books
    # WHEN the home page is requested
    page = client.get("/").text

    # THEN the counts are zero and there is no "Recently added" section
    assert "<h1>Welcome to Bookshelf</h1>" in page
    assert "0 books catalogued by 0 readers." in page
    assert "Recently added" not in page


def test_home_page_lists_the_five_newest_books_newest_first(client, make_user, make_book):
    # GIVEN six books created on six different days
    owner = make_user()
    books = [make_book(owner=owner, title=f"Title of day {n}", created_at=day(n)) for n in range(1, 7)]

    # WHEN the home page is requested
    page = client.get("/").text

    # THEN the five newest are listed newest first, linked to their pages, and the oldest is left out
    assert "Recently added" in page
    newest_first = [f'<a href="/books/{book.id}">{book.title}</a>' for book in reversed(books[1:])]
    positions = [page.index(link) for link in newest_first]
    assert positions == sorted(positions)
    assert "Title of day 1" not in page


def test_home_page_shows_each_recent_books_author(client, make_book):
    # GIVEN a book
    book = make_book(title="Kindred", author="Octavia E. Butler")

    # WHEN the home page is requested
    page = client.get("/").text

    # THEN the book is listed with "by" and its author
    assert f'<a href="/books/{book.id}">Kindred</a> by Octavia E. Butler' in page


def test_home_page_escapes_html_in_titles(client, make_book):
    # GIVEN a book whose title and author contain HTML
    title = "<script>alert('owned')</script>"
    make_book(title=title, author="<b>Bold</b>")

    # WHEN the home page is requested
    page = client.get("/").text

    # THEN they appear escaped, as text, and no script element is injected
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<script>" not in page
    assert "<b>" not in page


def test_navigation_for_a_visitor_offers_login_and_register(client):
    # GIVEN nobody logged in
    # WHEN the home page is requested
    page = client.get("/").text

    # THEN the navigation links to log in and register, and not to add a book
    assert '<a href="/auth/login">Log in</a>' in page
    assert '<a href="/auth/register">Register</a>' in page
    assert '<a href="/books/new">' not in page


def test_navigation_for_a_logged_in_user_names_them(user_client):
    # GIVEN a logged-in user called "reader"
    # WHEN the home page is requested
    page = user_client.get("/").text

    # THEN the navigation names them and links to the add form, not to log in
    assert "Signed in as reader" in page
    assert '<a href="/books/new">Add a book</a>' in page
    assert "Log in</a>" not in page


def test_about_page_describes_the_app(client):
    # GIVEN the about page
    # WHEN it is requested
    response = client.get("/about")

    # THEN it has its own title and heading and says what Bookshelf is
    assert response.status_code == 200
    page = response.text
    assert "<title>About · Bookshelf</title>" in page
    assert "<h1>About Bookshelf</h1>" in page
    assert "a small catalogue of books" in page


def test_home_page_orders_recent_books_by_date_added_not_by_id(client, make_user, make_book):
    # GIVEN a book stored first but dated after one stored later (as rows imported with their own dates are)
    owner = make_user()
    dated_later = make_book(owner=owner, title="Dated later", created_at=day(2))
    dated_earlier = make_book(owner=owner, title="Dated earlier", created_at=day(1))
    assert dated_later.id < dated_earlier.id

    # WHEN the home page is requested
    page = client.get("/").text

    # THEN the later-dated book is listed first, whatever the ids say
    assert page.index("Dated later") < page.index("Dated earlier")


def test_home_page_lists_books_added_at_the_same_moment_newest_id_first(client, make_user, make_book):
    # GIVEN two books with the very same created_at
    owner = make_user()
    first = make_book(owner=owner, title="Stored first", created_at=day(3))
    second = make_book(owner=owner, title="Stored second", created_at=day(3))
    assert first.id < second.id

    # WHEN the home page is requested
    page = client.get("/").text

    # THEN the one stored last (higher id) comes first: the order is decided, not left to the database
    assert page.index("Stored second") < page.index("Stored first")
