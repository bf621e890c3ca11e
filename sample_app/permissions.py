"""Permission bit masks: pure functions, no Flask."""

import enum


class Permission(enum.IntFlag):
    BROWSE = 1
    WRITE = 2
    MODERATE = 4
    ADMIN = 8


ALL_PERMISSIONS = Permission.BROWSE | Permission.WRITE | Permission.MODERATE | Permission.ADMIN

# role name -> (permission mask, is the default role for new users)
ROLES = {
    "User": (Permission.BROWSE | Permission.WRITE, True),
    "Moderator": (Permission.BROWSE | Permission.WRITE | Permission.MODERATE, False),
    "Administrator": (ALL_PERMISSIONS, False),
}


def has_permission(mask, permission):
    return mask & permission == permission


def grant(mask, permission):
    return mask | permission


def revoke(mask, permission):
    # ~ on an IntFlag only flips the flag's own bits (Python 3.11+); ~int()
    # flips them all, so bits this function was not asked about are kept.
    return mask & ~int(permission)


def permission_names(mask):
    """Names of the permissions set in ``mask``, lowest bit first."""
    if mask & ~int(ALL_PERMISSIONS):  # int: ~ALL_PERMISSIONS is Permission(0) on 3.11+
        raise ValueError(f"Unknown permission bits in {mask:#x}")
    return [p.name for p in Permission if mask & p]


def mask_from_names(names):
    mask = 0
    for name in names:
        try:
            mask |= Permission[name]
        except KeyError:
            raise ValueError(f"Unknown permission {name!r}") from None
    return mask
