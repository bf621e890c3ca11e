"""Every route the app has, walked from ``app.url_map``: each endpoint is either
public on purpose (written in ``PUBLIC`` below) or refuses an anonymous request.

Patterns: url_map audit; subtests fixture; expected values written in the test.

A new route that forgets ``@login_required`` (or ``@token_required``) fails the
audit without anyone writing a test for it: the list of routes comes from the
app, the list of public ones from this file. One request per endpoint and
method, each in a subtest, so one run reports every unprotected route rather
than stopping at the first.
"""

from flask import url_for

# Endpoints an anonymous visitor may use. Adding one is a decision, made here.
PUBLIC = {
    "static",
    "main.index",
    "main.about",
    "auth.login",
    "auth.register",
    "books.index",
    "books.detail",
    # The API's OpenAPI document: how a client learns the API, before it has a token.
    "api-docs.openapi_json",
}
# A value for each URL argument a rule may take; a new argument fails the
# audit until it gets one.
URL_ARGUMENTS = {
    "book_id": 1,
    "isbn": "9780441172719",
    "token": "not-a-real-token",
    "filename": "style.css",
}
# Methods Flask adds to every rule; they say nothing about the view.
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}


def requests_for(app, endpoints):
    """``(endpoint, method, url)`` for each rule of ``endpoints`` and each method it takes."""
    found = []
    with app.test_request_context():  # for url_for, once for all rules
        for rule in app.url_map.iter_rules():
            if rule.endpoint not in endpoints:
                continue
            url = url_for(rule.endpoint, **{name: URL_ARGUMENTS[name] for name in rule.arguments})
            for method in sorted(rule.methods - AUTOMATIC_METHODS):
                found.append((rule.endpoint, method, url))
    return found


def test_every_public_endpoint_is_a_route_of_the_app(app):
    # GIVEN the list of public endpoints
    # WHEN it is compared with the app's url_map
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    # THEN each name is a real endpoint (a renamed view does not leave a stale entry)
    assert PUBLIC - endpoints == set()


def test_every_rule_argument_has_a_value_for_the_audit(app):
    # GIVEN every rule in the app's url_map
    # WHEN the names of its URL arguments are collected
    arguments = {name for rule in app.url_map.iter_rules() for name in rule.arguments}

    # THEN each has a value in URL_ARGUMENTS, so the audit can build every URL
    assert arguments - URL_ARGUMENTS.keys() == set()


def test_every_endpoint_not_listed_as_public_refuses_an_anonymous_request(app, client, subtests):
    # GIVEN every endpoint of the app that is not in PUBLIC, with every method it takes
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - PUBLIC

    # WHEN an anonymous client sends each request
    for endpoint, method, url in requests_for(app, endpoints):
        with subtests.test(endpoint=endpoint, method=method):
            response = client.open(url, method=method)

            # THEN a page redirects to the login form (with ``next``), an API route answers a 401 challenge
            if url.startswith("/api/"):
                assert response.status_code == 401
                assert "WWW-Authenticate" in response.headers
            else:
                assert response.status_code == 302
                assert response.location.startswith("/auth/login?next=")


def test_every_public_endpoint_answers_an_anonymous_request(app, client, make_book, subtests):
    # GIVEN book 1 in the catalogue, so that its page exists
    make_book(id=1)

    # WHEN an anonymous client sends each request of every endpoint in PUBLIC
    for endpoint, method, url in requests_for(app, PUBLIC):
        with subtests.test(endpoint=endpoint, method=method):
            # Closed when done: a static file's response holds the file open.
            with client.open(url, method=method) as response:
                # THEN each answers 200 itself: no login redirect, no 401
                assert response.status_code == 200
