"""Assertion helpers and token forgers shared by several test modules.

Helpers that are not fixtures live here, so that no test module imports
from another one.
"""

import base64
import json

import jwt


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
