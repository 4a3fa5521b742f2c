"""Demo seeding: each domain app adds its own part of the demo.

``openproms start --demo`` (or ``openproms manage seed_demo``) runs every seeder in
:data:`SEEDERS`, in order. A seeder is a function ``seed(context: DemoContext)``
that is idempotent (running it twice changes nothing) and may add logins to print.
Later apps append their seeder here and read what earlier seeders made from the
context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

DEMO_PASSWORD = "openproms-demo"  # noqa: S105 - the published password of demo accounts

# Dotted paths of the seeders, in the order they run.
SEEDERS: list[str] = [
    "openproms.accounts.demo.seed",
    "openproms.catalogue.demo.seed",
    "openproms.collection.demo.seed",
    "openproms.people.demo.seed",
    "openproms.reports.demo.seed",
    "openproms.scans.demo.seed",
    "openproms.people.demo_language.seed",
    "openproms.sharing.demo.seed",
    "openproms.choosing.demo.seed",
    "openproms.reminders.demo.seed",
]


@dataclass
class DemoLogin:
    email: str
    role: str
    where: str
    totp_key: str = ""


@dataclass
class DemoContext:
    logins: list[DemoLogin] = field(default_factory=list)
    objects: dict[str, Any] = field(default_factory=dict)


def run_seeders(seeders: list[str] | None = None) -> DemoContext:
    context = DemoContext()
    for path in seeders if seeders is not None else SEEDERS:
        seed: Callable[[DemoContext], None] = import_string(path)
        seed(context)
    return context
