"""Settings read once, when this module is first imported (Django's style)."""

import os

SECRET_KEY = os.environ.get("LIBRARY_SECRET_KEY", "dev-only")
DATABASE_URL = os.environ.get("LIBRARY_DATABASE_URL", "sqlite:///library.sqlite")
AUDIT_DATABASE_URL = os.environ.get("LIBRARY_AUDIT_DATABASE_URL", "sqlite:///audit.sqlite")
LOAN_LIMIT = int(os.environ.get("LIBRARY_LOAN_LIMIT", "2"))
