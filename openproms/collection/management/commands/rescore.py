"""Re-score every stored answer to a measure with its current definition.

Run after a measure definition changes (a corrected band, a new conversion table).
Each administration records the definition (id@version) its scores came from.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration
from openproms.collection.services import administration_rescore
from openproms.scoring import ScoringError


class Command(BaseCommand):
    help = "Re-score all stored answers to a measure with its current definition."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("measure_id")
        parser.add_argument(
            "--measure-version", help="only answers to this version of the measure"
        )
        parser.add_argument("--organisation", help="only this organisation (its slug)")

    def handle(self, *args: Any, measure_id: str, **options: Any) -> None:
        administrations = Administration.objects.filter(
            measure_id=measure_id
        ).select_related("organisation")
        if options["measure_version"]:
            administrations = administrations.filter(
                measure_version=options["measure_version"]
            )
        if options["organisation"]:
            administrations = administrations.filter(
                organisation__slug=options["organisation"]
            )
        total = administrations.count()
        if total == 0:
            raise CommandError(f"No stored answers to {measure_id!r} match.")
        done = failed = 0
        definitions: dict[tuple[int, str], Any] = {}
        for administration in administrations.iterator(chunk_size=500):
            key = (administration.organisation_id, administration.measure_version)
            if key not in definitions:
                definitions[key] = measure_definition(
                    organisation=administration.organisation,
                    measure_id=measure_id,
                    version=administration.measure_version,
                )
            try:
                administration_rescore(
                    administration=administration, measure=definitions[key]
                )
            except ScoringError as error:
                failed += 1
                self.stderr.write(f"administration {administration.pk}: {error}")
            else:
                done += 1
        self.stdout.write(
            f"Re-scored {done} of {total} answers to {measure_id}; {failed} could not be scored."
        )
        if failed:
            raise CommandError(
                f"{failed} answers could not be re-scored (listed above); their old scores are kept."
            )
