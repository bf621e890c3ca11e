"""View decorators."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .permissions import Permission


def permission_required(permission):
    """Log in first (redirect to the login page), then 403 without ``permission``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(permission):
                abort(403, description="You do not have permission to do that.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    return permission_required(Permission.ADMIN)(view)
