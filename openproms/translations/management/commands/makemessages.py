"""Django's makemessages, also collecting the Easy Read sentences of the pure
scoring code (openproms.scoring.easy_read marks them with ``english(...)`` and
translates them with ``tr(...)``, as it may not import Django)."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=english",
        "--keyword=tr",
    ]
