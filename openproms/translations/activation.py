"""The language a person's pages are shown in: their preferred language, activated
with Django's translation machinery while their page is made (decision 0028).

Staff pages stay in English (settings.LANGUAGE_CODE); nothing here reads the
browser's Accept-Language, so a worker's screen never changes language under them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from django.conf import settings
from django.utils import translation

#: Django's code for each preferred language (English pages are British English).
_DJANGO_CODE = {"en": "en-gb"}


class HasLanguage(Protocol):
    preferred_language: str


def person_language(person: HasLanguage | None) -> str:
    """The person's preferred language if openproms has it, else English."""
    code = getattr(person, "preferred_language", "") or "en"
    known = {c for c, _ in settings.LANGUAGES}
    return code if code in known else "en"


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Make everything inside (templates, gettext) speak ``code``."""
    with translation.override(_DJANGO_CODE.get(code, code)):
        yield


@contextmanager
def in_person_language(person: HasLanguage | None) -> Iterator[None]:
    """Make everything inside speak the person's preferred language."""
    with in_language(person_language(person)):
        yield
