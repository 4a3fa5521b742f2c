"""``{{ member.role|role_in:organisation }}``: a role as that organisation names it
(a GP practice's workers are its clinicians: ``accounts.terms.role_label``)."""

from __future__ import annotations

from typing import Any

from django import template

from openproms.accounts.terms import role_label

register = template.Library()


@register.filter
def role_in(role: str, organisation: Any) -> str:
    return role_label(role, organisation)
