"""Demo organisations, services, commissioner body and one login for every role."""

from __future__ import annotations

import base64
import hashlib

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openproms.accounts import services
from openproms.accounts.models import (
    CommissionerBody,
    Membership,
    Organisation,
    Service,
    User,
)
from openproms.accounts.policy import TWO_FACTOR_REQUIRED_ROLES, Role
from openproms.core.demo import DEMO_PASSWORD, DemoContext, DemoLogin

ORGANISATIONS = [
    {
        "name": "Riverside Wellbeing Trust",
        "slug": "riverside",
        "kind": Organisation.Kind.CHARITY,
        "services": [
            (
                "Wellbeing course",
                "An eight-week course on coping with stress and low mood.",
            ),
            ("Peer support groups", "Weekly drop-in groups led by trained volunteers."),
            (
                "Social prescribing link",
                "Link workers who connect people to community activities.",
            ),
        ],
    },
    {
        "name": "Brook Lane Surgery",
        "slug": "brook-lane",
        "kind": Organisation.Kind.GP_PRACTICE,
        "services": [
            (
                "Mental health reviews",
                "Reviews of depression and anxiety with the practice team.",
            ),
        ],
    },
]

# email, full name, [(organisation slug, role)]
USERS = [
    ("admin@riverside.example", "Amira Khan", [("riverside", Role.ORG_ADMIN)]),
    (
        "manager@riverside.example",
        "Megan Doyle",
        [("riverside", Role.MANAGER), ("brook-lane", Role.MANAGER)],
    ),
    ("worker@riverside.example", "Wes Okafor", [("riverside", Role.WORKER)]),
    ("data@riverside.example", "Dana Price", [("riverside", Role.DATA_OFFICER)]),
    ("viewer@riverside.example", "Victor Hale", [("riverside", Role.VIEWER)]),
    ("admin@brook-lane.example", "Dr Priya Shah", [("brook-lane", Role.ORG_ADMIN)]),
    ("gp@brook-lane.example", "Dr Tom Reid", [("brook-lane", Role.WORKER)]),
]

COMMISSIONER = {
    "name": "Northshire Integrated Care Board",
    "slug": "northshire-icb",
    "kind": CommissionerBody.Kind.ICB,
    "users": [("commissioner@northshire-icb.example", "Carol Bennett")],
}


def demo_totp_key(email: str) -> str:
    """A fixed authenticator key for a demo account (hex, as django-otp stores it)."""
    return hashlib.sha256(f"openproms-demo-totp:{email}".encode()).hexdigest()[:40]


def demo_totp_base32(email: str) -> str:
    return base64.b32encode(bytes.fromhex(demo_totp_key(email))).decode().rstrip("=")


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            username=email, email=email, password=DEMO_PASSWORD, full_name=full_name
        )
    return user


@transaction.atomic
def seed(context: DemoContext) -> None:
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=spec["slug"]).first()
        if organisation is None:
            organisation = services.organisation_create(
                name=str(spec["name"]),
                slug=str(spec["slug"]),
                kind=str(spec["kind"]),
                is_demo=True,
            )
        organisations[organisation.slug] = organisation
        for name, description in spec["services"]:  # type: ignore[attr-defined]
            if not Service.objects.filter(
                organisation=organisation, name=name
            ).exists():
                services.service_create(
                    organisation=organisation,
                    name=name,
                    description=description,
                    actor=None,
                )
    for email, full_name, roles in USERS:
        user = _user(email, full_name)
        needs_totp = False
        for slug, role in roles:
            if not Membership.objects.filter(
                user=user, organisation=organisations[slug]
            ).exists():
                services.membership_add(
                    user=user, organisation=organisations[slug], role=role
                )
            needs_totp = needs_totp or role in TWO_FACTOR_REQUIRED_ROLES
        key = ""
        if needs_totp:
            TOTPDevice.objects.get_or_create(
                user=user,
                name="Demo authenticator",
                defaults={"key": demo_totp_key(email), "confirmed": True},
            )
            key = demo_totp_base32(email)
        where = ", ".join(
            f"{Role(role).label} at {organisations[slug].name}" for slug, role in roles
        )
        context.logins.append(
            DemoLogin(email=email, role=where, where="", totp_key=key)
        )
    body = CommissionerBody.objects.filter(slug=COMMISSIONER["slug"]).first()
    if body is None:
        body = services.commissioner_body_create(
            name=str(COMMISSIONER["name"]),
            slug=str(COMMISSIONER["slug"]),
            kind=str(COMMISSIONER["kind"]),
            is_demo=True,
        )
    for email, full_name in COMMISSIONER["users"]:  # type: ignore[attr-defined]
        user = _user(email, full_name)
        services.commissioner_user_add(user=user, body=body)
        context.logins.append(
            DemoLogin(email=email, role=f"Commissioner at {body.name}", where="")
        )
    context.objects["organisations"] = organisations
    context.objects["commissioner_body"] = body
