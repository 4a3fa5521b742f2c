"""Audit events in plain English on the audit page."""

from __future__ import annotations

from django import template

from openproms.audit.labels import action_label, read_label, record_label
from openproms.audit.models import AuditEvent
from openproms.audit.reads import DOWNLOAD_ACTION, VIEW_ACTION

register = template.Library()
READ_ACTIONS = {VIEW_ACTION, DOWNLOAD_ACTION}


@register.filter
def audit_action(code: str) -> str:
    return action_label(code)


@register.simple_tag
def audit_record(event: AuditEvent) -> str:
    if event.action in READ_ACTIONS:
        return read_label(
            str(event.detail.get("view", "")), int(event.detail.get("people", 0))
        )
    return record_label(event.object_type, event.object_repr) or "\u2013"
