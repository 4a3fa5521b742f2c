"""The person page's part about research consent and what was shared with the
person's GP (the people app's template loads it; the data is this app's)."""

from __future__ import annotations

from typing import Any

from django import template

from openproms.accounts.models import Organisation
from openproms.sharing.gp_services import gp_shares_of, gp_shares_received_for
from openproms.sharing.research_consent import research_decision_in_force

register = template.Library()


@register.inclusion_tag("sharing/person_panel.html", takes_context=True)
def person_sharing(context: template.Context, person: Any) -> dict[str, Any]:
    organisation = context.get("current_organisation")
    return {
        "person": person,
        "can": context.get("can", set()),
        "current_organisation": organisation,
        # A GP practice is the person's GP: it sends on to another practice.
        "at_gp": getattr(organisation, "kind", "") == Organisation.Kind.GP_PRACTICE,
        "research": research_decision_in_force(person.pk),
        "shares": list(gp_shares_of(person)),
        "received": list(gp_shares_received_for(person)),
    }
