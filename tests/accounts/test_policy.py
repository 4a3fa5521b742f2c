"""The permission policy table parses, covers every action and role, and is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from openproms.accounts.policy import (
    POLICY,
    POLICY_TABLE,
    Action,
    Role,
    _parse,
    role_may,
)


def test_every_action_has_a_row_and_admins_may_do_everything() -> None:
    assert set(POLICY) == set(Action)
    assert all(role_may(Role.ORG_ADMIN, action) for action in Action)


def test_viewers_may_only_look_and_see_no_person() -> None:
    assert {a for a in Action if role_may(Role.VIEWER, a)} == {
        Action.ORG_VIEW,
        Action.SERVICE_VIEW,
        Action.MEASURE_VIEW,
        Action.DASHBOARD_VIEW,
        Action.REPORT_VIEW,
    }


def test_a_malformed_table_is_refused() -> None:
    header = "action | org_admin | manager | worker | data_officer | viewer\n"
    with pytest.raises(ValueError, match="malformed"):
        _parse(header + "org.view | y | | | |\n")
    with pytest.raises(ValueError, match="no row"):
        _parse(header + "org.view | x | | | |\n")


def test_the_documented_table_is_the_one_in_force() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text()
    assert POLICY_TABLE.strip() in doc
