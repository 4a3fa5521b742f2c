"""The words an organisation's own staff use for a role, chosen by its kind.

A charity names the member of staff who holds a person's support their *key
worker*; a GP practice names them the patient's *named clinician*. Every page,
form label and choice says the organisation's own word, from here.
"""

from __future__ import annotations

from typing import Any

from openproms.accounts.policy import Role

#: ``Organisation.Kind`` value of a GP practice (kept as a string so this module
#: needs no model import).
GP_PRACTICE = "gp_practice"


def at_practice(organisation: Any) -> bool:
    """Whether the organisation is a GP practice (its patients are told of their
    *care team*, where a charity's are told of their *worker*)."""
    return getattr(organisation, "kind", "") == GP_PRACTICE


def role_label(role: str, organisation: Any) -> str:
    """A member's role as the organisation names it: a GP practice's workers are
    its *clinicians*; every other role keeps its name."""
    if role == Role.WORKER and at_practice(organisation):
        return "Clinician"
    return str(Role(role).label)


def role_choices(organisation: Any) -> list[tuple[str, str]]:
    """The roles to choose from, each named as the organisation names it."""
    return [(value, role_label(value, organisation)) for value, _ in Role.choices]


def terms_for(organisation: Any) -> dict[str, str]:
    """The organisation's words: ``key_worker`` (lower case, for a sentence),
    ``Key_worker`` (for a label or a column heading), and ``worker`` and
    ``Workers`` for the staff who collect (a GP practice's clinicians)."""
    if at_practice(organisation):
        word, staff = "named clinician", "clinician"
    else:
        word, staff = "key worker", "worker"
    return {
        "key_worker": word,
        "Key_worker": word[0].upper() + word[1:],
        "worker": staff,
        "Workers": staff[0].upper() + staff[1:] + "s",
    }
