"""QuestionnaireResponse out: stored answers as a FHIR R4 QuestionnaireResponse
that answers the measure's own Questionnaire (:mod:`openproms.fhir.questionnaire`).

Each answered item becomes an item with the same linkId; a coded answer is a
``valueCoding`` in the measure's answer code system (with its label as
``display`` when the definition has the wording), a whole number from a range is
a ``valueInteger``. Unanswered items are left out, as FHIR asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from openproms.fhir import uris
from openproms.fhir.response_in import Identifier
from openproms.scoring.definitions import Item, MeasureDefinition


def fhir_datetime(moment: dt.datetime) -> str:
    """A FHIR dateTime with its UTC offset (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


def answer(defn: MeasureDefinition, item: Item, code: int) -> dict[str, Any]:
    """One answer as a QuestionnaireResponse ``answer`` element."""
    rs = item.response_set
    if rs.is_range:
        return {"valueInteger": code}
    coding: dict[str, Any] = {
        "system": uris.answer_system(defn.id, rs.id),
        "code": str(code),
    }
    label = next((o.label for o in rs.options if o.code == code), None)
    if label:
        coding["display"] = label
    return {"valueCoding": coding}


def questionnaire_response(
    defn: MeasureDefinition,
    answers: Mapping[str, int | None],
    *,
    resource_id: str,
    authored: dt.datetime,
    subject: str | None = None,
    identifier: Identifier | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """The response for ``answers`` (item id -> code, None when not answered).

    ``subject`` is a reference (``Patient/...`` or a ``urn:uuid:`` inside a
    Bundle); ``identifier`` the business identifier that makes a re-import of the
    same response a no-op (the submission id, in the organisation's system).
    """
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id,
    }
    if identifier is not None:
        ident: dict[str, str] = {"value": identifier.value}
        if identifier.system:
            ident = {"system": identifier.system, **ident}
        resource["identifier"] = ident
    resource["questionnaire"] = f"{uris.questionnaire_url(defn.id)}|{defn.version}"
    resource["status"] = status
    if subject is not None:
        resource["subject"] = {"reference": subject}
    resource["authored"] = fhir_datetime(authored)
    items = []
    for item in defn.items:
        code = answers.get(item.id)
        if code is None:
            continue
        entry: dict[str, Any] = {"linkId": item.id}
        if item.text:
            entry["text"] = item.text
        entry["answer"] = [answer(defn, item, code)]
        items.append(entry)
    if items:
        resource["item"] = items
    return resource
