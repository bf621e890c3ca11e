"""Unit tests of the permission bit masks (``sample_app.permissions``): granting,
revoking, naming and checking permissions, and the masks of the roles. Pure functions.

Patterns: pure functions without an app; property-based tests with Hypothesis;
round-trip properties; exhaustive check of a small input space; parametrize
with ids; stacked parametrize; pytest.raises with match and excinfo;
permissions as bit masks.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sample_app.permissions import (
    ROLES,
    Permission,
    grant,
    has_permission,
    mask_from_names,
    permission_names,
    revoke,
)

# No pytest fixtures in the @given tests: a function-scoped fixture runs
# once per test, not per example, so examples would share its state.
masks = st.integers(min_value=0, max_value=15)  # four permission bits
permissions = st.sampled_from(list(Permission))


@given(masks, permissions)
def test_granted_permission_is_held(mask, permission):
    # GIVEN any valid mask and any permission
    # WHEN the permission is granted
    granted = grant(mask, permission)

    # THEN the mask has it, and every permission it had before is kept
    assert has_permission(granted, permission)
    assert granted & mask == mask


@given(masks, permissions)
def test_revoked_permission_is_gone_and_others_are_untouched(mask, permission):
    # GIVEN any valid mask and any permission
    # WHEN the permission is revoked
    revoked = revoke(mask, permission)

    # THEN the mask lacks it and every other bit is unchanged
    assert not has_permission(revoked, permission)
    assert revoked | permission == mask | permission


@given(st.integers(min_value=0, max_value=2**16), permissions)
def test_revoke_clears_only_its_own_bit_even_in_wider_masks(mask, permission):
    """A regression: ``~`` on the IntFlag alone also cleared every unknown bit."""
    # GIVEN any non-negative integer (bits above ADMIN included) and a permission
    # WHEN the permission is revoked
    revoked = revoke(mask, permission)

    # THEN exactly that bit is cleared
    assert revoked == mask - (mask & int(permission))


@given(masks, permissions)
def test_grant_and_revoke_are_idempotent(mask, permission):
    # GIVEN any valid mask and any permission, granted (and revoked) once
    granted, revoked = grant(mask, permission), revoke(mask, permission)

    # WHEN it is granted (or revoked) a second time
    granted_twice, revoked_twice = grant(granted, permission), revoke(revoked, permission)

    # THEN the second call changes nothing
    assert granted_twice == granted
    assert revoked_twice == revoked


@given(masks)
def test_names_round_trip_to_the_same_mask(mask):
    # GIVEN any valid mask
    # WHEN it is turned into names and back
    round_tripped = mask_from_names(permission_names(mask))

    # THEN the same mask comes back
    assert round_tripped == mask


@given(masks)
def test_has_permission_agrees_with_permission_names(mask):
    # GIVEN any valid mask, and the names it lists
    names = permission_names(mask)

    # WHEN each permission is checked
    held = {permission.name: has_permission(mask, permission) for permission in Permission}

    # THEN has_permission is true exactly for the names the mask lists
    assert held == {permission.name: permission.name in names for permission in Permission}


@given(st.sets(permissions))
def test_names_come_back_lowest_bit_first(chosen):
    # GIVEN the mask of any set of permissions
    mask = mask_from_names(p.name for p in chosen)

    # WHEN it is turned into names
    names = permission_names(mask)

    # THEN the names come back in bit order, whatever order they were given in
    assert names == [p.name for p in sorted(chosen)]


def test_every_mask_round_trips():
    # GIVEN the 16 possible masks (small enough to try them all: Hypothesis is for spaces too big for this)
    every_mask = range(16)

    # WHEN each is turned into names and back
    round_tripped = [mask_from_names(permission_names(mask)) for mask in every_mask]

    # THEN each comes back unchanged
    assert round_tripped == list(every_mask)


def test_all_four_bits_name_every_permission():
    # GIVEN the mask with all four permission bits set
    # WHEN it is turned into names
    names = permission_names(0b1111)

    # THEN every permission is there, lowest bit first
    assert names == ["BROWSE", "WRITE", "MODERATE", "ADMIN"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("User", ["BROWSE", "WRITE"], id="user"),
        pytest.param("Moderator", ["BROWSE", "WRITE", "MODERATE"], id="moderator"),
        pytest.param("Administrator", ["BROWSE", "WRITE", "MODERATE", "ADMIN"], id="administrator"),
    ],
)
def test_role_masks(role, expected):
    # GIVEN a role's mask from the ROLES table
    mask, _ = ROLES[role]

    # WHEN it is turned into names
    names = permission_names(mask)

    # THEN it holds exactly the documented permissions
    assert names == expected


def test_only_user_is_the_default_role():
    # GIVEN the ROLES table
    # WHEN the default flags are read
    defaults = [name for name, (_, is_default) in ROLES.items() if is_default]

    # THEN exactly one role, "User", is the default for new accounts
    assert defaults == ["User"]


@pytest.mark.parametrize(
    "extra_bit",
    [pytest.param(1 << 4, id="bit-4"), pytest.param(1 << 5, id="bit-5"), pytest.param(1 << 10, id="bit-10")],
)
@pytest.mark.parametrize("base", [pytest.param(0, id="empty"), pytest.param(0b1111, id="all")])
def test_permission_names_rejects_unknown_bits(base, extra_bit):
    # GIVEN a mask with a bit no permission uses (2 bases x 3 extra bits)
    mask = base | extra_bit

    # WHEN it is turned into names, THEN ValueError shows the mask in hex instead of silently dropping the bit
    with pytest.raises(ValueError, match=f"Unknown permission bits in {mask:#x}"):
        permission_names(mask)


@pytest.mark.parametrize(
    "name",
    [pytest.param("SUPERUSER", id="unknown"), pytest.param("browse", id="wrong-case"), pytest.param("", id="empty")],
)
def test_mask_from_names_rejects_unknown_names(name):
    # GIVEN a name that is not a Permission member (names are case-sensitive)
    # WHEN a mask is built from it
    with pytest.raises(ValueError, match="Unknown permission") as excinfo:
        mask_from_names(["BROWSE", name])

    # THEN ValueError names it, without the KeyError chained behind it
    assert repr(name) in str(excinfo.value)
    assert excinfo.value.__cause__ is None
    assert excinfo.value.__suppress_context__


@given(mask=masks, wanted=masks)
def test_has_permission_for_a_combined_mask_needs_every_bit(mask, wanted):
    # GIVEN any mask, any combination of permissions asked for at once, and whether the mask holds each one
    holds_every_one = all(has_permission(mask, p) for p in Permission if wanted & p)

    # WHEN has_permission checks the combination
    holds = has_permission(mask, wanted)

    # THEN it is true only when the mask holds every one of them, not just some
    assert holds is holds_every_one
