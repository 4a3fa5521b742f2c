"""Create an organisation and invite its first admin (for the operator of an installation)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from openproms.accounts import services
from openproms.accounts.models import Organisation
from openproms.accounts.policy import Role


class Command(BaseCommand):
    help = "Create an organisation and email an invitation to its first organisation admin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--name", required=True, help="e.g. 'Riverside Wellbeing Trust'"
        )
        parser.add_argument(
            "--slug", required=True, help="short name used in addresses, e.g. riverside"
        )
        parser.add_argument(
            "--kind",
            choices=[k.value for k in Organisation.Kind],
            default=Organisation.Kind.CHARITY,
        )
        parser.add_argument(
            "--admin-email", required=True, help="who becomes its first admin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_slug(options["slug"])
            validate_email(options["admin_email"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        if Organisation.objects.filter(slug=options["slug"]).exists():
            raise CommandError(
                f"An organisation with the slug {options['slug']!r} already exists."
            )
        if Organisation.objects.filter(name__iexact=options["name"]).exists():
            raise CommandError(
                f"An organisation called {options['name']!r} already exists."
            )
        with transaction.atomic():
            organisation = services.organisation_create(
                name=options["name"], slug=options["slug"], kind=options["kind"]
            )
            _, link = services.invitation_create(
                organisation=organisation,
                email=options["admin_email"],
                role=Role.ORG_ADMIN,
                actor=None,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {organisation.name}. Invitation for its admin:"
            )
        )
        self.stdout.write(f"  {link}")
