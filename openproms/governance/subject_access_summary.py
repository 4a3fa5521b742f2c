"""The words of summary.html, the readable part of a subject access download
(decision 0014), worked out from the same rows as data.json.

Every key of data.json has its place in the summary (:data:`SHOWN_IN`), and a
section says it holds nothing only when every row it shows is empty: answers
given through a self-completion link, typed in from paper, scanned or imported
are listed in those sections too, so a section never says "No ..." while the
same download lists an answer given that way (a typed-in form saved at once,
with no second typing, keeps no typing record; a link may be gone while its
answers stay).
"""

from __future__ import annotations

from typing import Any

from openproms.accounts.models import Organisation
from openproms.accounts.terms import terms_for
from openproms.people.models import ServiceUser

# Each key of data.json and the id of the summary's heading that shows it.
SHOWN_IN: dict[str, str] = {
    "about": "top",
    "person": "details",
    "consents": "consent",
    "research_consents": "consent",
    "episodes": "episodes",
    "episode_pauses": "episodes",
    "contacts": "contacts",
    "time_points": "due",
    "administrations": "answers",
    "risk_alerts": "alerts",
    "self_completion_links": "links",
    "paper_entries": "paper",
    "acceptability_feedback": "feedback",
    "printed_forms": "printed",
    "scanned_pages": "scans",
    "imported_scores": "imported",
    "contact_agreements": "reminders",
    "reminders": "reminders",
    "gp_shares": "gp",
    "audit_events": "audit",
}

# How an answer was given (Administration.mode) and the section that also
# lists the answers given that way.
ANSWERS_BY_MODE: dict[str, str] = {
    "self": "answered_by_link",
    "paper_entry": "answered_typed_in",
    "paper_scan": "answered_scanned",
    "import": "answered_imported",
}

RESEARCH_CONSENT_WORDS = "To use their answers for research"


def _consent_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every consent decision, openproms' own kinds and research, newest first."""
    rows = [
        {
            "recorded_at": c["recorded_at"],
            "about": c.get("kind_words") or "Consent",
            "given": c["given"],
            "recorded_by": c["recorded_by"],
            "note": c["note"],
        }
        for c in data["consents"]
    ]
    rows += [
        {
            "recorded_at": r["recorded_at"],
            "about": RESEARCH_CONSENT_WORDS,
            "given": r["given"],
            "recorded_by": r["recorded_by"],
            "note": r["note"],
        }
        for r in data["research_consents"]
    ]
    return sorted(rows, key=lambda row: row["recorded_at"], reverse=True)


def _reminder_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each reminder with the measure it was about, oldest first."""
    measures = {t["id"]: t["measure_name"] for t in data["time_points"]}
    rows = [
        {**r, "measure_name": measures.get(r["time_point"], "")}
        for r in data["reminders"]
    ]
    return sorted(rows, key=lambda row: row["created_at"])


def summary_context(
    data: dict[str, Any],
    *,
    organisation: Organisation,
    person: ServiceUser,
    images: list[str],
) -> dict[str, Any]:
    """What summary.html is rendered from: data.json's rows, and the same rows
    arranged for reading."""
    answered: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ANSWERS_BY_MODE.values()
    }
    for row in data["administrations"]:
        if row["mode"] in ANSWERS_BY_MODE:
            answered[ANSWERS_BY_MODE[row["mode"]]].append(row)
    return {
        **data,
        **answered,
        "person_model": person,
        "consent_rows": _consent_rows(data),
        "reminder_rows": _reminder_rows(data),
        "contact_agreements": sorted(
            data["contact_agreements"],
            key=lambda row: (row["agreed_on"], row["recorded_at"]),
            reverse=True,
        ),
        "episodes": [
            {
                **row,
                "pauses": [
                    p for p in data["episode_pauses"] if p["episode"] == row["id"]
                ],
            }
            for row in data["episodes"]
        ],
        "images": images,
        "terms": terms_for(organisation),
    }
