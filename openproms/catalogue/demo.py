"""Demo: Riverside's own measure, "Club check-in", published as version 1, with
version 2 in draft (one question reworded), so the designer's pages have something
to show. Not in use: choosing it is the manager's step."""

from __future__ import annotations

from django.utils import timezone

from openproms.accounts.models import Organisation
from openproms.catalogue.design_document import (
    AnswerSet,
    Band,
    Design,
    Option,
    Question,
    design_document,
)
from openproms.catalogue.models import BespokeMeasure
from openproms.core.demo import DemoContext

MEASURE_ID = "riverside_club_check_in"


def _design(first_question: str) -> Design:
    return Design(
        title="Club check-in",
        short_name="Club check-in",
        description="How people at the Tuesday club have been getting on.",
        time_period="the last 2 weeks",
        method="sum",
        max_missing=1,
        direction="higher_is_better",
        answer_sets=[
            AnswerSet(
                "How much",
                [
                    Option(0, "Not at all"),
                    Option(1, "A little"),
                    Option(2, "Quite a lot"),
                    Option(3, "A great deal"),
                ],
            )
        ],
        questions=[
            Question(first_question),
            Question("How much have you enjoyed the club?"),
            Question("How often have you felt left out?", reverse=True),
            Question("How much have you done things you care about?"),
        ],
        bands=[
            Band(0, 5, "Struggling"),
            Band(6, 8, "Getting by"),
            Band(9, 12, "Doing well"),
        ],
    )


def seed(context: DemoContext) -> None:
    riverside = Organisation.objects.filter(slug="riverside").first()
    if riverside is None:
        return
    for version, question, published in (
        ("1", "How much have you felt welcome?", True),
        ("2", "How welcome have you felt at the club?", False),
    ):
        document = design_document(
            _design(question),
            measure_id=MEASURE_ID,
            version=version,
            organisation=riverside.name,
        )
        BespokeMeasure.objects.get_or_create(
            organisation=riverside,
            measure_id=MEASURE_ID,
            measure_version=version,
            defaults={
                "definition": document,
                "status": BespokeMeasure.Status.PUBLISHED
                if published
                else BespokeMeasure.Status.DRAFT,
                "published_at": timezone.now() if published else None,
            },
        )
