"""Settings of the benchmark's Django project: only what one model and one page need.

Kept minimal on purpose: no contrib apps and no middleware, so pytest-django's
start-up (creating the test database and migrating it) is as cheap as a Django
project can make it; the comparison is against pytest-django at its best.

The database is SQLite unless ``BENCH_DJANGO_DATABASE`` holds a JSON
``DATABASES["default"]`` (benchmarks/versus_django.py sets it for PostgreSQL).
On SQLite pytest-django tests on an in-memory database, its default; on
PostgreSQL it creates ``test_<NAME>`` and drops it at the end of the run.
"""

import json
import os

# Only ever run by the benchmark, never deployed.
SECRET_KEY = "benchmark-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

INSTALLED_APPS = ["shelf"]
MIDDLEWARE = []
ROOT_URLCONF = "bookshelf_site.urls"

TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

_DATABASE = os.environ.get("BENCH_DJANGO_DATABASE")
DATABASES = {
    "default": json.loads(_DATABASE)
    if _DATABASE
    # In memory: nothing here is ever served, and pytest-django makes its own test database.
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
