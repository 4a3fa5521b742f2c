"""Audit events in plain English on the audit page."""

from __future__ import annotations

from django import template

from openproms.audit.labels import action_label, record_label
from openproms.audit.models import AuditEvent

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return action_label(code)


@register.simple_tag
def audit_record(event: AuditEvent) -> str:
    return record_label(event.object_type, event.object_repr) or "\u2013"
