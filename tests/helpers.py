"""Helpers shared by several test modules: assertions, token forgers, SQL probes.

Patterns: shared assertion helper; forged tokens; recorded SQL statements;
unordered results exposed with a pragma.

Helpers that are not fixtures live here, so that no test module imports
from another one.
"""

import base64
import contextlib
import json

import jwt
import sqlalchemy as sa


def assert_json_error(response, status, message=None):
    """The response is a JSON error ``{"error", "message"}`` with ``status``."""
    __tracebackhide__ = True  # pytest reports the failing line in the test
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert b"<html" not in response.data.lower()
    assert set(response.json) >= {"error", "message"}
    if message is not None:
        assert response.json["message"] == message


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- forged API tokens ---------------------------------------------------------


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def flip_signature_character(token):
    header, payload, signature = token.split(".")
    # A middle character: the last one of an HS256 signature also carries
    # padding bits, and some changes to it decode to the very same bytes.
    i = len(signature) // 2
    replacement = "A" if signature[i] != "A" else "B"
    return f"{header}.{payload}.{signature[:i]}{replacement}{signature[i + 1 :]}"


def change_subject(token):
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(int(claims["sub"]) + 1)
    return f"{header}.{_b64url(json.dumps(claims).encode())}.{signature}"


def unsigned_copy(token):
    """The same claims with ``"alg": "none"`` and no signature."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, None, algorithm="none")


# --- SQL statements --------------------------------------------------------------


@contextlib.contextmanager
def recorded_statements(engine):
    """Collect the SQL text of every statement ``engine`` runs inside the block.

    For assertions about how a result is reached, when the result alone cannot
    tell: no extra query per row, no INSERT tried when a check should stop it.
    """
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@contextlib.contextmanager
def unordered_selects_reversed(db):
    """SQLite only, inside an app context: return unordered rows backwards.

    SQLite answers a SELECT without ORDER BY in rowid (= id) order, so a
    query that lost its ``ORDER BY id`` still passes every test. Under
    ``PRAGMA reverse_unordered_selects`` it no longer does. The pragma belongs
    to the connection, which the next test reuses: it is switched off after.
    """
    db.session.execute(db.text("PRAGMA reverse_unordered_selects = ON"))
    try:
        yield
    finally:
        db.session.execute(db.text("PRAGMA reverse_unordered_selects = OFF"))
