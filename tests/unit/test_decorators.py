"""Unit tests of the view decorators (sample_app/decorators.py) on a stand-in view.

Patterns: decorator tested on a stand-in view; test_request_context; owner and
role checks; pytest.raises with match and excinfo.

The decorators are applied when the view modules are imported, once per
process, so a test of a real admin page does not exercise ``admin_required``
itself (nor does mutation testing credit it to that test: see
docs/mutation.md). Here they wrap a plain function inside the test.
"""

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from sample_app.decorators import admin_required, permission_required
from sample_app.models import User
from sample_app.permissions import Permission

SECRET = "the admin page"


def stand_in_view():
    return SECRET


def call_as(app, db, user, view):
    """Call ``view`` in a request by ``user`` (None: nobody is logged in)."""
    with app.test_request_context("/stand-in"):
        if user is not None:
            login_user(db.session.get(User, user.id))
        return view()


def test_admin_required_runs_the_view_for_an_administrator(app, db, admin):
    # GIVEN a view wrapped in admin_required
    view = admin_required(stand_in_view)

    # WHEN an administrator calls it
    result = call_as(app, db, admin, view)

    # THEN the view runs and its result is returned
    assert result == SECRET


def test_admin_required_refuses_a_reader_with_403(app, db, user):
    # GIVEN a view wrapped in admin_required
    view = admin_required(stand_in_view)

    # WHEN a logged-in reader calls it
    with pytest.raises(Forbidden) as raised:
        call_as(app, db, user, view)

    # THEN a 403 is raised (the view does not run), with a reason
    assert raised.value.description == "You do not have permission to do that."


def test_admin_required_sends_a_visitor_to_the_login_page(app, db):
    # GIVEN a view wrapped in admin_required
    view = admin_required(stand_in_view)

    # WHEN nobody is logged in and it is called
    response = call_as(app, db, None, view)

    # THEN the answer is a redirect to the login page, not the view
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_permission_required_lets_a_reader_write(app, db, user):
    # GIVEN a view wrapped in permission_required(WRITE)
    view = permission_required(Permission.WRITE)(stand_in_view)

    # WHEN a reader (who may write) calls it
    result = call_as(app, db, user, view)

    # THEN the view runs
    assert result == SECRET
