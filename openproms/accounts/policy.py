"""The permission policy: which organisation role may do which action.

This is the one place that says who may do what inside an organisation. Every view
declares the action it needs (see ``openproms.core.access``); a test walks every URL
pattern and checks it against this table. Read the table as: a cross means the role
may take the action in its own organisation. Nobody may act in an organisation they
do not belong to: such requests answer 404.

Commissioner users belong to no organisation. They see only aggregated reports for
what they fund, through the ``commissioner.*`` actions checked against their
commissioner body, never through this table.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    MANAGER = "manager", "Manager"
    WORKER = "worker", "Worker"
    DATA_OFFICER = "data_officer", "Data officer"
    VIEWER = "viewer", "Viewer"


class Action(StrEnum):
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    SERVICE_VIEW = "service.view"
    SERVICE_MANAGE = "service.manage"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"
    AUDIT_VIEW = "audit.view"
    PERSON_VIEW = "person.view"
    PERSON_MANAGE = "person.manage"
    PERSON_SUBJECT_ACCESS = "person.subject_access"
    EPISODE_MANAGE = "episode.manage"
    CASELOAD_VIEW = "caseload.view"
    MEASURE_VIEW = "measure.view"
    MEASURE_MANAGE = "measure.manage"
    WORDING_MANAGE = "wording.manage"
    PLAN_MANAGE = "plan.manage"
    DUE_VIEW = "due.view"
    ANSWER_COLLECT = "answer.collect"
    ANSWER_EDIT = "answer.edit"
    PAPER_ENTER = "paper.enter"
    MISSED_RECORD = "missed.record"
    ALERT_MANAGE = "alert.manage"
    DASHBOARD_VIEW = "dashboard.view"
    CONTRACT_MANAGE = "contract.manage"
    REPORT_VIEW = "report.view"
    PERSON_ERASE = "person.erase"
    PERSON_RESTRICT = "person.restrict"
    RETENTION_SET = "retention.set"
    GP_SHARE = "gp.share"
    GP_INBOX = "gp.inbox"
    RESEARCH_MANAGE = "research.manage"
    IMPORT_RUN = "import.run"


# fmt: off
POLICY_TABLE = """
action          | org_admin | manager | worker | data_officer | viewer
org.view        |     x     |    x    |   x    |      x       |   x
org.manage      |     x     |         |        |              |
service.view    |     x     |    x    |   x    |      x       |   x
service.manage  |     x     |    x    |        |              |
member.view     |     x     |    x    |        |              |
member.manage   |     x     |         |        |              |
audit.view      |     x     |         |        |              |
person.view     |     x     |    x    |   x    |      x       |
person.manage   |     x     |    x    |   x    |      x       |
person.subject_access |  x  |         |        |              |
episode.manage  |     x     |    x    |   x    |              |
caseload.view   |     x     |    x    |   x    |              |
measure.view    |     x     |    x    |   x    |      x       |   x
measure.manage  |     x     |    x    |        |              |
wording.manage  |     x     |         |        |              |
plan.manage     |     x     |    x    |        |              |
due.view        |     x     |    x    |   x    |      x       |
answer.collect  |     x     |    x    |   x    |              |
answer.edit     |     x     |    x    |   x    |      x       |
paper.enter     |     x     |    x    |        |      x       |
missed.record   |     x     |    x    |   x    |      x       |
alert.manage    |     x     |    x    |   x    |              |
dashboard.view  |     x     |    x    |        |              |   x
contract.manage |     x     |    x    |        |              |
report.view     |     x     |    x    |        |              |   x
person.erase    |     x     |         |        |              |
person.restrict |     x     |         |        |              |
retention.set   |     x     |         |        |              |
gp.share        |     x     |    x    |   x    |              |
gp.inbox        |     x     |    x    |   x    |              |
research.manage |     x     |         |        |              |
import.run      |     x     |    x    |        |              |
"""
# fmt: on

# Workers see only the people on their caseload (whose episode they hold as key
# worker, or who attend a group session they run); the other roles with
# ``person.view`` see everyone in their organisation (reliability-security.md AC2).
CASELOAD_ONLY_ROLES = frozenset({Role.WORKER})

# Roles that must use two-factor authentication (TOTP) to sign in.
TWO_FACTOR_REQUIRED_ROLES = frozenset({Role.ORG_ADMIN, Role.MANAGER})


def _parse(table: str) -> dict[Action, frozenset[Role]]:
    lines = [line for line in table.strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].split("|")]
    roles = [Role(name) for name in header[1:]]
    if set(roles) != set(Role):
        raise ValueError("The policy table must have one column per role.")
    policy: dict[Action, frozenset[Role]] = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.split("|")]
        action = Action(cells[0])
        if action in policy:
            raise ValueError(f"The policy table lists {action} twice.")
        marks = cells[1:]
        if len(marks) != len(roles) or any(mark not in {"", "x"} for mark in marks):
            raise ValueError(f"The policy row for {action} is malformed.")
        policy[action] = frozenset(
            role for role, mark in zip(roles, marks, strict=True) if mark == "x"
        )
    missing = set(Action) - set(policy)
    if missing:
        raise ValueError(f"The policy table has no row for {sorted(missing)}.")
    return policy


POLICY: dict[Action, frozenset[Role]] = _parse(POLICY_TABLE)


def role_may(role: str, action: Action) -> bool:
    """Whether a member with ``role`` may take ``action`` in their organisation."""
    return role in POLICY[action]


def actions_for(role: str) -> frozenset[Action]:
    """Every action the role may take (used to build the navigation)."""
    return frozenset(action for action, roles in POLICY.items() if role in roles)
