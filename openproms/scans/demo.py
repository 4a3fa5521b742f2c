"""Demo: a week's forms printed for Riverside, filled in and scanned back as one PDF,
with a few marks the reader is unsure of waiting in the verification queue and a
blank form waiting to be matched to its person."""

from __future__ import annotations

import random

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from openproms.accounts.models import Membership, Organisation
from openproms.catalogue.selectors import measure_definition
from openproms.collection import due_lists
from openproms.core.demo import DemoContext
from openproms.paper import FormContext, make_layout
from openproms.paper.simulate import filled_form, pages_pdf
from openproms.scans import read_services, services
from openproms.scans.models import PrintedForm, ScanBatch

DPI = 150.0
FORMS = 4  # pre-assigned forms in the demo pile


def _pages(
    form: PrintedForm, rng: np.random.Generator, doubtful: int
) -> list[np.ndarray]:
    """The form filled with believable answers; the first ``doubtful`` questions
    get a second mark, so only a person can say which one counts."""
    definition = measure_definition(
        organisation=form.organisation,
        measure_id=form.measure_id,
        version=form.measure_version,
    )
    context = FormContext(organisation=form.organisation.name, token=form.token)
    layout = make_layout(definition, form.variant, context)  # type: ignore[arg-type]
    answers = {
        item.id: int(rng.choice(sorted(item.response_set.codes)))
        for item in definition.items
    }
    rows = [row for page in layout.pages for row in page.items if row.options]
    second = {
        row.item_id: next(o.code for o in row.options if o.code != answers[row.item_id])
        for row in rows[:doubtful]
    }
    return filled_form(layout, answers, dpi=DPI, rng=rng, second_marks=second)


def seed(context: DemoContext) -> None:
    organisation: Organisation = context.objects["organisations"]["riverside"]
    if ScanBatch.objects.filter(organisation=organisation).exists():
        return
    membership = Membership.objects.get(
        organisation=organisation, user__email="data@riverside.example"
    )
    due = due_lists.due_list(membership=membership, filters=due_lists.DueFilters())
    points = list(due[: FORMS + 2])  # two printed forms have not come back yet
    outcome = services.forms_print(membership=membership, time_points=points)
    if not outcome.printed:
        return
    rng = np.random.default_rng(20261122)
    pick = random.Random(20261122)  # noqa: S311 - demo data
    images: list[np.ndarray] = []
    for n, form in enumerate(outcome.printed[:FORMS]):
        images.extend(_pages(form, rng, doubtful=1 if n < 2 else 0))
    first = outcome.printed[0]
    services.blank_forms_print(
        membership=membership,
        measure_id=first.measure_id,
        measure_version=first.measure_version,
        copies=1,
    )
    blank = PrintedForm.objects.filter(
        organisation=organisation, variant="blank"
    ).last()
    if blank is not None:
        images.extend(_pages(blank, rng, doubtful=0))
    pick.shuffle(images)  # a pile is never in order
    batch = services.batch_create(
        membership=membership,
        files=[SimpleUploadedFile("monday-group.pdf", pages_pdf(images, DPI))],
    )
    read_services.batch_read(batch.pk)
