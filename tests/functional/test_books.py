"""Functional tests of the catalogue pages (/books/...), through the test client:
list, pagination, search, tag filter, detail, add, edit and delete.

Patterns: database content in the page; posted data stored in the database;
HTML escaping proof; pagination boundaries; pytest-flask config fixture and
options marker; status codes for missing rows and wrong methods; login_required
redirect with next; owner and role checks; form pre-filled from an object;
invalid post writes nothing; logged-in client fixtures; factory fixtures;
parametrizing over fixtures; simulated race past a uniqueness check; CSRF
turned on for one test; app context only around database work; form choices
read from the database per request; blueprint-level error handler.
"""

from html.parser import HTMLParser

import pytest

from sample_app.models import Book, Tag
from tests.helpers import (
    csrf_token_from,
    day,
    duplicate_isbn_message,
    input_values,
    row_count,
    skip_duplicate_isbn_check,
    stored_book,
)

DUNE_ISBN = "9780441172719"
DUNE_ISBN10 = "0441172717"
KINDRED_ISBN = "9780807083697"
OWN_BOOKS_ONLY = '<p class="detail">You can only change your own books.</p>'


# helpers.input_values reads <input>s; the tag filter is a <select>, whose options this reads.
class _TagOptions(HTMLParser):
    def __init__(self):
        super().__init__()
        self.options = []
        self._in_tag_select = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._in_tag_select = attrs.get("name") == "tag"
        elif tag == "option" and self._in_tag_select:
            self.options.append((attrs.get("value"), "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "select":
            self._in_tag_select = False


def tag_options(page):
    """``[(value, selected), ...]`` of the tag filter's <select>, parsed."""
    parser = _TagOptions()
    parser.feed(page)
    return parser.options


def book_form(**overrides):
    data = {"title": "Dune", "author": "Frank Herbert", "isbn": DUNE_ISBN, "year": "1965", "tag_names": "SF, classic"}
    data.update(overrides)
    return data


# --- list --------------------------------------------------------------------------


def test_list_shows_books_from_the_database(client, make_book):
    # GIVEN two books in the database
    dune = make_book(title="Dune", author="Frank Herbert", year=1965, isbn=DUNE_ISBN)
    kindred = make_book(title="Kindred", author="Octavia E. Butler", year=1979, isbn=KINDRED_ISBN)

    # WHEN the list is requested
    response = client.get("/books/")

    # THEN each title, author, year and ISBN appears, with a link to the book
    assert response.status_code == 200
    page = response.text
    for book in (dune, kindred):
        assert f'<a href="/books/{book.id}">{book.title}</a>' in page
        assert book.author in page
        assert str(book.year) in page
        assert book.isbn in page


def test_list_shows_newest_first(client, make_book):
    # GIVEN three books created on different days, not in id order
    make_book(title="Middle book", created_at=day(2))
    make_book(title="Newest book", created_at=day(3))
    make_book(title="Oldest book", created_at=day(1))

    # WHEN the list is requested
    page = client.get("/books/").text

    # THEN they appear newest first
    assert page.index("Newest book") < page.index("Middle book") < page.index("Oldest book")


def test_empty_catalogue_says_no_books_yet(client):
    # GIVEN no books
    # WHEN the list is requested
    response = client.get("/books/")

    # THEN it says there are no books yet, and shows no table or page links
    assert response.status_code == 200
    assert "No books yet." in response.text
    assert "<table" not in response.text
    assert "Page 1 of" not in response.text


def test_empty_catalogue_invites_a_logged_in_user_to_add_a_book(user_client):
    # GIVEN no books and a logged-in user
    # WHEN the list is requested
    page = user_client.get("/books/").text

    # THEN it links to the add form
    assert '<a href="/books/new">Add the first one</a>' in page


# --- pagination (two per page; five books: pages 1, 2, 3) ---------------------------


@pytest.mark.options(BOOKS_PER_PAGE=2)
def test_first_page_has_the_newest_books_and_a_next_link(client, five_books):
    # GIVEN five books and two per page
    # WHEN the list is requested without a page
    page = client.get("/books/").text

    # THEN the two newest are shown, with a link to page 2 and none back
    assert "Day 5" in page
    assert "Day 4" in page
    assert "Day 3" not in page
    assert "Page 1 of 3" in page
    assert 'href="/books/?page=2">Next</a>' in page
    assert "Previous" not in page


@pytest.mark.options(BOOKS_PER_PAGE=2)
def test_middle_page_links_both_ways(client, five_books):
    # GIVEN five books and two per page
    # WHEN page 2 is requested
    page = client.get("/books/?page=2").text

    # THEN it shows the third and fourth newest, with links to pages 1 and 3
    assert "Day 3" in page
    assert "Day 2" in page
    assert "Day 4" not in page
    assert "Day 1" not in page
    assert 'href="/books/?page=1">Previous</a>' in page
    assert 'href="/books/?page=3">Next</a>' in page


@pytest.mark.options(BOOKS_PER_PAGE=2)
def test_last_page_has_the_oldest_book_and_no_next_link(client, five_books):
    # GIVEN five books and two per page
    # WHEN the last page (3) is requested
    page = client.get("/books/?page=3").text

    # THEN only the oldest book is shown, with a link back and none forward
    assert "Day 1" in page
    assert "Day 2" not in page
    assert "Page 3 of 3" in page
    assert 'href="/books/?page=2">Previous</a>' in page
    assert "Next" not in page


@pytest.mark.options(BOOKS_PER_PAGE=2)
def test_page_past_the_end_is_404(client, five_books):
    # GIVEN five books and two per page (three pages)
    # WHEN page 4 is requested
    response = client.get("/books/?page=4")

    # THEN the 404 page says there is no page 4
    assert response.status_code == 404
    assert "There is no page 4." in response.text


@pytest.mark.parametrize(
    "page",
    [
        pytest.param("0", id="zero"),
        pytest.param("-1", id="negative"),
        pytest.param("abc", id="word"),
        pytest.param("1.5", id="decimal"),
        pytest.param("", id="empty"),
        # Past the database's OFFSET: the range, not a database error (a 500).
        pytest.param("100000000000000000000000", id="too-large-for-the-database"),
    ],
)
def test_bad_page_number_is_400(client, page):
    # GIVEN a page number that is not a whole number from 1 up
    # WHEN the list is requested with it
    response = client.get("/books/", query_string={"page": page})

    # THEN the 400 page says what a page number must be
    assert response.status_code == 400
    assert "page must be a whole number from 1 to 999999999." in response.text


@pytest.mark.options(BOOKS_PER_PAGE=2)
def test_page_links_keep_the_search_term(client, make_book):
    # GIVEN three books matching a search, two per page
    for n in range(3):
        make_book(title=f"Dune part {n}")

    # WHEN the first page of results is requested
    page = client.get("/books/?q=dune").text

    # THEN the link to page 2 still carries the search term
    assert 'href="/books/?page=2&amp;q=dune">Next</a>' in page


# --- search --------------------------------------------------------------------------


@pytest.fixture
def two_books(make_book):
    return [
        make_book(title="Dune", author="Frank Herbert", isbn=DUNE_ISBN),
        make_book(title="Kindred", author="Octavia E. Butler", isbn=KINDRED_ISBN),
    ]


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("DUNE", id="title-any-case"),
        pytest.param("herbert", id="author"),
        pytest.param("9780441", id="isbn"),
        pytest.param("978-0-441-17271-9", id="isbn-with-hyphens"),
    ],
)
def test_search_lists_only_matching_books(client, two_books, q):
    # GIVEN Dune (Frank Herbert) and Kindred (Octavia E. Butler)
    # WHEN the list is searched by Dune's title, author or ISBN
    page = client.get("/books/", query_string={"q": q}).text

    # THEN Dune is listed and Kindred is not, and the box shows the search term
    assert ">Dune</a>" in page
    assert "Kindred" not in page
    assert f'name="q" value="{q}"' in page


def test_search_without_match_says_so(client, two_books):
    # GIVEN two books
    # WHEN the list is searched for a term in neither
    page = client.get("/books/?q=zebra").text

    # THEN the page says no book matches that term (not "No books yet")
    assert "No books match “zebra”." in page
    assert "No books yet" not in page


def test_search_term_is_escaped_in_the_page(client):
    # GIVEN a search term containing HTML
    q = '"><script>alert(1)</script>'

    # WHEN it is shown back in the search box and the no-match message
    page = client.get("/books/", query_string={"q": q}).text

    # THEN it is escaped, never inserted as markup
    assert "<script>alert(1)" not in page
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


# --- tag filter ------------------------------------------------------------------------


def test_tag_filter_offers_any_tag_and_each_tag_that_has_a_book(client, tagged_books):
    # GIVEN books tagged "sf" and "classic", and one without tags
    # WHEN the list is requested
    page = client.get("/books/").text

    # THEN a Tag select offers "Any tag" (selected) and each tag, alphabetically, next to the search box
    assert tag_options(page) == [("", True), ("classic", False), ("sf", False)]
    assert '<option selected value="">Any tag</option>' in page
    assert '<label for="tag">Tag</label>' in page
    assert page.index('role="search"') < page.index('<select id="tag" name="tag">')


def test_tag_added_during_the_test_appears_in_the_filter(client, make_book):
    # GIVEN the list requested once, with a book tagged "sf"
    make_book(tags=["sf"])
    before = tag_options(client.get("/books/").text)

    # WHEN a book with the new tag "poetry" is added and the list requested again
    make_book(title="Odes", tags=["poetry"])
    page = client.get("/books/", query_string={"tag": "poetry"}).text

    # THEN the select offers "poetry" too: its choices are read on each request
    assert before == [("", True), ("sf", False)]
    assert tag_options(page) == [("", False), ("poetry", True), ("sf", False)]
    assert ">Odes</a>" in page


@pytest.mark.parametrize(
    ("tag", "selected"),
    [pytest.param("classic", "classic", id="as-stored"), pytest.param(" Classic ", "classic", id="normalised")],
)
def test_tag_filter_lists_only_books_with_the_tag(client, tagged_books, tag, selected):
    # GIVEN Dune and Kindred tagged "classic", and Piranesi without tags
    # WHEN the list is filtered by "classic", in any spelling
    page = client.get("/books/", query_string={"tag": tag}).text

    # THEN only Dune and Kindred are listed, and "classic" is selected
    assert ">Dune</a>" in page
    assert ">Kindred</a>" in page
    assert "Piranesi" not in page
    assert (selected, True) in tag_options(page)


def test_unknown_tag_gets_the_forms_error_not_a_500(client, tagged_books):
    # GIVEN books, none tagged "zebra"
    # WHEN the list is filtered by "zebra"
    response = client.get("/books/?tag=zebra")

    # THEN the page (200) shows the field's error next to the select, and lists every book
    assert response.status_code == 200
    page = response.text
    assert '<span class="error">Not a valid choice.</span>' in page
    for title in ("Dune", "Kindred", "Piranesi"):
        assert f">{title}</a>" in page


def test_search_and_tag_forms_keep_each_others_value(client, tagged_books):
    # GIVEN a list searched for "dune" and filtered by "sf"
    # WHEN the page is shown
    page = client.get("/books/?q=dune&tag=sf").text

    # THEN the search form carries the tag and the tag form the search term, as hidden inputs
    assert '<input type="hidden" name="tag" value="sf">' in page
    assert '<input type="hidden" name="q" value="dune">' in page
    assert ">Dune</a>" in page


def test_search_and_tag_without_match_says_so(client, tagged_books):
    # GIVEN books tagged "sf", none matching "kindred"
    # WHEN the list is searched for "kindred" and filtered by "sf"
    page = client.get("/books/?q=kindred&tag=sf").text

    # THEN the page says no book tagged "sf" matches "kindred"
    assert "No books tagged “sf” match “kindred”." in page
    assert "<table" not in page


@pytest.mark.options(BOOKS_PER_PAGE=2)
def test_page_links_keep_the_search_term_and_the_tag(client, make_book):
    # GIVEN five books matching "dune" and tagged "sf", two per page
    for n in range(5):
        make_book(title=f"Dune part {n}", tags=["sf"])

    # WHEN page 2 of the search for "dune" filtered by "sf" is requested
    page = client.get("/books/?q=dune&tag=sf&page=2").text

    # THEN the links to pages 1 and 3 carry both the search term and the tag
    assert 'href="/books/?page=1&amp;q=dune&amp;tag=sf">Previous</a>' in page
    assert 'href="/books/?page=3&amp;q=dune&amp;tag=sf">Next</a>' in page


# --- detail -----------------------------------------------------------------------------


def test_detail_shows_every_field_from_the_database(client, make_user, make_book):
    # GIVEN a book with year and tags, owned by a user
    owner = make_user(username="margaret")
    book = make_book(
        owner=owner, title="Dune", author="Frank Herbert", isbn=DUNE_ISBN, year=1965, tags=["sf", "classic"]
    )

    # WHEN its page is requested
    response = client.get(f"/books/{book.id}")

    # THEN title, author, ISBN, year, tags and the owner's username appear
    assert response.status_code == 200
    page = response.text
    assert "<h1>Dune</h1>" in page
    assert "<dd>Frank Herbert</dd>" in page
    assert f"<dd>{DUNE_ISBN}</dd>" in page
    assert "<dd>1965</dd>" in page
    assert '<span class="tag">classic</span>, <span class="tag">sf</span>' in page
    assert "<dd>margaret</dd>" in page


def test_detail_of_book_without_year_or_tags_says_so(client, make_book):
    # GIVEN a book with no year and no tags
    book = make_book(year=None)

    # WHEN its page is requested
    page = client.get(f"/books/{book.id}").text

    # THEN the year reads "Unknown" and the tags "None"
    assert "<dd>Unknown</dd>" in page
    assert "<dd>None</dd>" in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        pytest.param("GET", "/books/999999", id="detail"),
        pytest.param("GET", "/books/999999/edit", id="edit"),
        pytest.param("POST", "/books/999999/delete", id="delete"),
    ],
)
def test_missing_book_gets_the_catalogues_no_such_book_page(user_client, method, url):
    # GIVEN no book with id 999999
    # WHEN its detail or edit page is requested, or it is deleted (logged in)
    response = user_client.open(url, method=method)

    # THEN the books blueprint's own 404 page names the missing id and links back to the catalogue
    assert response.status_code == 404
    assert "<h1>No such book</h1>" in response.text
    assert "There is no book with id 999999." in response.text
    assert '<a href="/books/">Search the catalogue</a>' in response.text


@pytest.mark.parametrize(
    "url",
    [
        # Larger than any integer primary key: SQLite would overflow binding it.
        pytest.param("/books/99999999999999999999", id="id-too-large-for-the-database"),
        pytest.param("/books/12/chapters", id="no-such-route"),
        pytest.param("/books/dune", id="id-not-a-number"),
    ],
)
def test_address_under_books_that_matches_no_route_gets_the_sites_404_page(client, url):
    # GIVEN a URL under /books/ that no route of the books blueprint matches
    # WHEN it is requested
    response = client.get(url)

    # THEN routing answers with the app's 404 page before any view runs: the blueprint's handler never sees it
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert "No such book" not in response.text


@pytest.mark.parametrize(
    ("viewer", "owns_book", "sees_controls"),
    [
        pytest.param("user_client", True, True, id="owner"),
        pytest.param("admin_client", False, True, id="admin"),
        pytest.param("user_client", False, False, id="other-user"),
        pytest.param("client", False, False, id="anonymous"),
    ],
)
def test_only_owner_and_admin_see_edit_and_delete(request, user, make_book, viewer, owns_book, sees_controls):
    # GIVEN a book, seen by its owner, an admin, another user or nobody logged in
    book = make_book(owner=user) if owns_book else make_book()
    client = request.getfixturevalue(viewer)

    # WHEN the book's page is requested
    page = client.get(f"/books/{book.id}").text

    # THEN only the owner and the admin see the edit link and the delete form
    assert (f'href="/books/{book.id}/edit"' in page) is sees_controls
    assert (f'action="/books/{book.id}/delete"' in page) is sees_controls


# --- create -------------------------------------------------------------------------------


def test_anonymous_add_redirects_to_login_with_next(client):
    # GIVEN nobody logged in
    # WHEN the add form is requested
    response = client.get("/books/new")

    # THEN the response redirects to the login page, with ``next`` pointing back
    assert response.status_code == 302
    assert response.location == "/auth/login?next=%2Fbooks%2Fnew"


def test_anonymous_post_writes_nothing(app, db, client):
    # GIVEN nobody logged in
    # WHEN a valid book is POSTed to the add form
    response = client.post("/books/new", data=book_form())

    # THEN it is redirected to log in and no book is stored
    assert response.status_code == 302
    assert response.location == "/auth/login?next=%2Fbooks%2Fnew"
    assert row_count(app, db, Book) == 0


def test_add_form_has_every_field(user_client):
    # GIVEN a logged-in user
    # WHEN the add form is requested
    response = user_client.get("/books/new")

    # THEN it shows the title, author, ISBN, year and tags inputs, empty
    assert response.status_code == 200
    page = response.text
    assert "<h1>Add a book</h1>" in page
    values = input_values(page)
    for name in ("title", "author", "isbn", "year", "tag_names"):
        assert not values[name], name


def test_adding_a_book_stores_it_and_shows_it(app, db, user, user_client):
    # GIVEN a logged-in user
    # WHEN a valid book is POSTed (ISBN-10, mixed-case tags) and the redirect followed
    response = user_client.post("/books/new", data=book_form(isbn=DUNE_ISBN10), follow_redirects=True)

    # THEN it is stored with the user as owner, and its page flashes 'Added "Dune".'
    with app.app_context():
        book = db.session.scalar(db.select(Book).filter_by(isbn=DUNE_ISBN))
        assert book is not None
        assert book.owner_id == user.id
        assert (book.title, book.author, book.year) == ("Dune", "Frank Herbert", 1965)
        assert [tag.name for tag in book.tags] == ["classic", "sf"]
        book_id = book.id
    assert len(response.history) == 1
    assert response.request.path == f"/books/{book_id}"
    assert "Added &#34;Dune&#34;." in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("title", "", "Must not be blank.", id="no-title"),
        pytest.param("author", "   ", "Must not be blank.", id="blank-author"),
        pytest.param(
            "isbn",
            "9780441172710",
            "&#39;9780441172710&#39; is not a valid ISBN-13 (bad check digit or characters).",
            id="bad-isbn-checksum",
        ),
        pytest.param("year", "1200", "Must be a whole number from 1450 to", id="year-too-early"),
    ],
)
def test_invalid_book_is_shown_again_with_the_error_and_not_stored(app, db, user_client, field, value, message):
    # GIVEN a logged-in user
    data = book_form(**{field: value})

    # WHEN a book with one invalid field is POSTed
    response = user_client.post("/books/new", data=data)

    # THEN the form comes back with the field's message and every value kept, and nothing is stored
    assert response.status_code == 200
    page = response.text
    assert f'<span class="error">{message}' in page
    assert input_values(page)[field] == value.strip()  # the input is kept (stripped), to correct it
    assert input_values(page)["tag_names"] == "SF, classic"
    assert row_count(app, db, Book) == 0


def test_adding_a_book_with_a_catalogued_isbn_is_rejected(app, db, user_client, make_book):
    # GIVEN a book already in the catalogue
    make_book(isbn=DUNE_ISBN)

    # WHEN another book is POSTed with the same ISBN written as an ISBN-10
    response = user_client.post("/books/new", data=book_form(isbn=DUNE_ISBN10))

    # THEN the form says the book is already in the catalogue, and no book is added
    assert response.status_code == 200
    assert duplicate_isbn_message(DUNE_ISBN) in response.text
    assert row_count(app, db, Book) == 1


def test_isbn_taken_between_check_and_save_is_a_form_error_not_a_500(app, db, user_client, make_book, monkeypatch):
    # GIVEN a catalogued ISBN that the duplicate checks miss, as when another request saves it a moment later
    make_book(isbn=DUNE_ISBN)
    skip_duplicate_isbn_check(monkeypatch)

    # WHEN the book is POSTed and the database's unique constraint fires
    response = user_client.post("/books/new", data=book_form(tag_names="brand-new-tag"))

    # THEN the form shows the duplicate message, and nothing (not even a new tag) is stored
    assert response.status_code == 200
    assert duplicate_isbn_message(DUNE_ISBN) in response.text
    assert row_count(app, db, Book) == 1
    assert row_count(app, db, Tag) == 0


# --- edit ---------------------------------------------------------------------------------


def test_edit_form_is_prefilled_from_the_book(user, user_client, make_book):
    # GIVEN a book of the logged-in user, with tags
    book = make_book(
        owner=user, title="Dune", author="Frank Herbert", isbn=DUNE_ISBN, year=1965, tags=["sf", "classic"]
    )

    # WHEN its edit form is requested
    page = user_client.get(f"/books/{book.id}/edit").text

    # THEN every input holds the stored value and the tags are comma-separated
    assert "Edit “Dune”" in page
    values = input_values(page)
    assert values["title"] == "Dune"
    assert values["author"] == "Frank Herbert"
    assert values["isbn"] == DUNE_ISBN
    assert values["year"] == "1965"
    assert values["tag_names"] == "classic, sf"


def test_owner_edits_a_book(app, db, user, user_client, make_book):
    # GIVEN a book of the logged-in user
    book = make_book(owner=user, title="Dun", author="F. Herbert", isbn=DUNE_ISBN, year=1900, tags=["old"])

    # WHEN new values are POSTed with the book's own ISBN unchanged
    response = user_client.post(f"/books/{book.id}/edit", data=book_form(tag_names="sf"), follow_redirects=True)

    # THEN the changes are stored, and the book's page flashes 'Saved "<title>".'
    saved = stored_book(app, db, book.id)
    del saved["created_at"], saved["updated_at"]
    assert saved == {
        "id": book.id,
        "title": "Dune",
        "author": "Frank Herbert",
        "isbn": DUNE_ISBN,
        "year": 1965,
        "owner": "reader",
        "tags": ["sf"],
    }
    assert response.request.path == f"/books/{book.id}"
    assert "Saved &#34;Dune&#34;." in response.text


def test_admin_edits_another_users_book(app, db, admin_client, make_book):
    # GIVEN a book owned by some user
    book = make_book(isbn=DUNE_ISBN)

    # WHEN an administrator POSTs new values for it
    response = admin_client.post(f"/books/{book.id}/edit", data=book_form(title="Dune (admin fix)"))

    # THEN the changes are stored
    assert response.status_code == 302
    assert stored_book(app, db, book.id)["title"] == "Dune (admin fix)"


def test_other_user_may_not_open_the_edit_form(user_client, make_book):
    # GIVEN a book owned by someone else
    book = make_book()

    # WHEN the logged-in user requests its edit form
    response = user_client.get(f"/books/{book.id}/edit")

    # THEN the 403 page says they can only change their own books
    assert response.status_code == 403
    assert OWN_BOOKS_ONLY in response.text


def test_other_user_may_not_edit_and_nothing_changes(app, db, user_client, make_book):
    # GIVEN a book owned by someone else
    book = make_book(title="Original", isbn=KINDRED_ISBN, tags=["kept"])
    before = stored_book(app, db, book.id)

    # WHEN the logged-in user POSTs new values for it
    response = user_client.post(f"/books/{book.id}/edit", data=book_form(isbn=KINDRED_ISBN))

    # THEN the answer is 403 and the stored book is unchanged
    assert response.status_code == 403
    assert stored_book(app, db, book.id) == before


def test_anonymous_edit_redirects_to_login(client, make_book):
    # GIVEN nobody logged in
    book = make_book()

    # WHEN a book's edit form is requested
    response = client.get(f"/books/{book.id}/edit")

    # THEN the response redirects to the login page with ``next`` pointing back
    assert response.status_code == 302
    assert response.location == f"/auth/login?next=%2Fbooks%2F{book.id}%2Fedit"


def test_editing_to_another_books_isbn_is_rejected(app, db, user, user_client, make_book):
    # GIVEN two books, one of them the logged-in user's
    make_book(isbn=DUNE_ISBN)
    book = make_book(owner=user, title="Kindred", isbn=KINDRED_ISBN)
    before = stored_book(app, db, book.id)

    # WHEN the user's book is POSTed with the other book's ISBN
    response = user_client.post(f"/books/{book.id}/edit", data=book_form(title="Renamed", isbn=DUNE_ISBN))

    # THEN the form says the book is already in the catalogue and nothing changes
    assert response.status_code == 200
    assert duplicate_isbn_message(DUNE_ISBN) in response.text
    assert stored_book(app, db, book.id) == before


def test_isbn_taken_between_check_and_save_on_edit_keeps_the_book(app, db, user, user_client, make_book, monkeypatch):
    # GIVEN another book's ISBN that the duplicate checks miss, as in a race with another request
    make_book(isbn=DUNE_ISBN)
    book = make_book(owner=user, title="Kindred", isbn=KINDRED_ISBN)
    before = stored_book(app, db, book.id)
    skip_duplicate_isbn_check(monkeypatch)

    # WHEN a book is saved with another book's ISBN and the unique constraint fires
    response = user_client.post(f"/books/{book.id}/edit", data=book_form(title="Renamed", isbn=DUNE_ISBN))

    # THEN the form shows the duplicate message and the stored book is unchanged
    assert response.status_code == 200
    page = response.text
    assert duplicate_isbn_message(DUNE_ISBN) in page
    assert input_values(page)["title"] == "Renamed"  # what the user typed is kept
    assert stored_book(app, db, book.id) == before


# --- delete -------------------------------------------------------------------------------


def test_owner_deletes_a_book(app, db, user, user_client, make_book):
    # GIVEN a book of the logged-in user
    book = make_book(owner=user, title="Dune")

    # WHEN the delete form is POSTed and the redirect followed
    response = user_client.post(f"/books/{book.id}/delete", follow_redirects=True)

    # THEN the book is gone, and the list flashes 'Deleted "<title>".'
    assert stored_book(app, db, book.id) is None
    assert response.request.path == "/books/"
    assert "Deleted &#34;Dune&#34;." in response.text


def test_admin_deletes_another_users_book(app, db, admin_client, make_book):
    # GIVEN a book owned by some user
    book = make_book()

    # WHEN an administrator POSTs its delete form
    response = admin_client.post(f"/books/{book.id}/delete")

    # THEN the book is gone
    assert response.status_code == 302
    assert stored_book(app, db, book.id) is None


def test_other_user_may_not_delete_and_the_book_stays(app, db, user_client, make_book):
    # GIVEN a book owned by someone else
    book = make_book()

    # WHEN the logged-in user POSTs its delete form
    response = user_client.post(f"/books/{book.id}/delete")

    # THEN the answer is 403 and the book is still stored
    assert response.status_code == 403
    assert OWN_BOOKS_ONLY in response.text
    assert stored_book(app, db, book.id) is not None


def test_anonymous_delete_redirects_to_login_and_the_book_stays(app, db, client, make_book):
    # GIVEN nobody logged in
    book = make_book()

    # WHEN a book's delete form is POSTed
    response = client.post(f"/books/{book.id}/delete")

    # THEN the response redirects to log in and the book is still stored
    assert response.status_code == 302
    assert response.location == f"/auth/login?next=%2Fbooks%2F{book.id}%2Fdelete"
    assert stored_book(app, db, book.id) is not None


def test_delete_by_get_is_405_and_the_book_stays(app, db, user, user_client, make_book):
    # GIVEN a book of the logged-in user
    book = make_book(owner=user)

    # WHEN its delete URL is requested with GET (a link, a prefetch, a crawler)
    response = user_client.get(f"/books/{book.id}/delete")

    # THEN the answer is 405 and the book is still stored
    assert response.status_code == 405
    # Werkzeug builds Allow from a set: compare as a set, not a string.
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert stored_book(app, db, book.id) is not None


class TestDeleteFormWithCsrf:
    """The delete button is a plain HTML form, not a FlaskForm, so these tests
    turn CSRF protection back on (TestingConfig turns it off) to prove its
    hidden token field works."""

    @pytest.mark.options(WTF_CSRF_ENABLED=True)
    def test_token_from_the_detail_page_lets_the_owner_delete(self, app, db, user, user_client, make_book):
        # GIVEN CSRF protection on and a book of the logged-in user
        book = make_book(owner=user)

        # WHEN the token is read from the delete form on the book's page and sent with it
        page = user_client.get(f"/books/{book.id}").text
        token = csrf_token_from(page[page.index(f'action="/books/{book.id}/delete"') :])
        response = user_client.post(f"/books/{book.id}/delete", data={"csrf_token": token})

        # THEN the book is deleted
        assert response.status_code == 302
        assert stored_book(app, db, book.id) is None

    @pytest.mark.options(WTF_CSRF_ENABLED=True)
    def test_delete_without_token_is_400_and_the_book_stays(self, app, db, user, user_client, make_book):
        # GIVEN CSRF protection on and a book of the logged-in user
        book = make_book(owner=user)

        # WHEN the delete form is POSTed without the token (as a forged cross-site form would be)
        response = user_client.post(f"/books/{book.id}/delete")

        # THEN the 400 page mentions CSRF and the book is still stored
        assert response.status_code == 400
        assert "CSRF" in response.text
        assert stored_book(app, db, book.id) is not None
