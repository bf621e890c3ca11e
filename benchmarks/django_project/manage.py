"""Django's command line for this project: ``python -B manage.py makemigrations --check --dry-run``.

Not used by the benchmark (pytest-django creates the test database itself);
here to check by hand that the migration still matches the model.
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshelf_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
