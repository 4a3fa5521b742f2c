"""One operation in a process of its own, for the crash-safety tests:
``python -m tests.faults.child OPERATION ARGS_JSON`` with the test's database in
``OPENPROMS_DATABASE_URL``. The test kills it at a named crash point
(openproms/crash_points.py)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def _answer(args: dict[str, Any]) -> dict[str, Any]:
    from openproms.accounts.models import Organisation
    from openproms.collection.models import Administration, TimePoint
    from openproms.collection.services import administration_submit
    from openproms.people.models import ServiceUser
    from openproms.scoring import get_measure

    point = TimePoint.objects.get(pk=args["time_point"])
    result = administration_submit(
        organisation=Organisation.objects.get(pk=args["organisation"]),
        service_user=ServiceUser.objects.get(pk=args["person"]),
        measure=get_measure(point.measure_id),
        answers=args["answers"],
        mode=Administration.Mode.ASSISTED,
        submission_id=args["submission_id"],
        time_point=point,
    )
    return {"administration": result.administration.pk, "created": result.created}


def _import(args: dict[str, Any]) -> dict[str, Any]:
    from openproms.accounts.models import Organisation
    from openproms.collection.fhir_io import questionnaire_response_import
    from openproms.people.models import ServiceUser

    result = questionnaire_response_import(
        organisation=Organisation.objects.get(pk=args["organisation"]),
        service_user=ServiceUser.objects.get(pk=args["person"]),
        resource=args["resource"],
    )
    return {"administration": result.administration.pk, "created": result.created}


def _upload(args: dict[str, Any]) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from openproms.accounts.models import Membership
    from openproms.scans.services import batch_create

    files = [
        SimpleUploadedFile(name, Path(path).read_bytes())
        for name, path in args["files"]
    ]
    batch = batch_create(
        membership=Membership.objects.get(pk=args["membership"]), files=files
    )
    return {"batch": batch.pk}


OPERATIONS = {"answer": _answer, "import": _import, "upload": _upload}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    operation, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(OPERATIONS[operation](args)))


if __name__ == "__main__":
    main()
