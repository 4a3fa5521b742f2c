"""Create a commissioner body (a funder) and add its users."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.crypto import get_random_string

from openproms.accounts import services
from openproms.accounts.models import CommissionerBody, User


class Command(BaseCommand):
    help = (
        "Create a commissioner body (or add users to one). New users get a random "
        "password and should use 'Forgotten your password?' to choose their own."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument(
            "--kind",
            choices=[k.value for k in CommissionerBody.Kind],
            default=CommissionerBody.Kind.OTHER,
        )
        parser.add_argument(
            "--user-email", action="append", default=[], help="repeat for each user"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_slug(options["slug"])
            for email in options["user_email"]:
                validate_email(email)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        with transaction.atomic():
            body = CommissionerBody.objects.filter(slug=options["slug"]).first()
            if body is None:
                body = services.commissioner_body_create(
                    name=options["name"], slug=options["slug"], kind=options["kind"]
                )
            for email in options["user_email"]:
                user = User.objects.filter(email__iexact=email).first()
                if user is None:
                    user = User.objects.create_user(
                        username=email.lower(),
                        email=email.lower(),
                        password=get_random_string(40),
                    )
                services.commissioner_user_add(user=user, body=body)
        self.stdout.write(
            self.style.SUCCESS(f"{body.name}: {body.memberships.count()} user(s).")
        )
