"""The language a person's pages are shown in: their preferred language, activated
with Django's translation machinery while their page is made (decision 0028).

Staff pages stay in English (settings.LANGUAGE_CODE); only the few pages that name
no person yet (:func:`public_language`: a choice made on the page, else the
browser's Accept-Language) read the browser, so a worker's screen never changes
language under them (decision 0034).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

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


# ------------------------------------------------------------ before the person is known

#: The cookie that remembers the language chosen on a page that names no person
#: (the self-completion code page, "this link does not work", "too many tries").
LANGUAGE_COOKIE = "openproms_language"
#: The words of the link to the other language, each in its own language.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


def _known() -> set[str]:
    return {c for c, _ in settings.LANGUAGES}


def browser_language(accept_language: str) -> str:
    """The language of openproms a browser prefers (its Accept-Language header):
    the first of its languages, by preference, that openproms has (``cy-GB``
    counts as ``cy``, ``en-US`` as ``en``); English when none is."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    known = _known()
    for tag, _quality in parse_accept_lang_header(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in known:
            return primary
    return "en"


def public_language(request: HttpRequest, person: HasLanguage | None = None) -> str:
    """The language of a page a person reads before, or without, being known by
    their link: their preferred language when the page does know them (a link
    that has run out, say); else the language just chosen on the page
    (``?lang=cy``), else the one chosen before (the cookie), else the browser's.
    Staff pages never read any of these (they stay English)."""
    if person is not None:
        return person_language(person)
    return chosen_language(request) or browser_language(
        request.headers.get("Accept-Language", "")
    )


def chosen_language(request: HttpRequest) -> str | None:
    """The language the person chose on a page that names no person: just now
    (``?lang=cy``) or before (the cookie); None when they chose none."""
    known = _known()
    for chosen in (
        request.GET.get("lang", ""),
        request.COOKIES.get(LANGUAGE_COOKIE, ""),
    ):
        if chosen in known:
            return chosen
    return None


def remember_language(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Keep a language chosen with ``?lang=`` for the next page that names no
    person; such pages vary by the header and the cookie."""
    chosen = request.GET.get("lang", "")
    if chosen in _known():
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def other_language(code: str) -> dict[str, str]:
    """The link a page offers to the other language: its code and its name."""
    other = (
        "en"
        if code != "en"
        else next((c for c, _ in settings.LANGUAGES if c != "en"), "en")
    )
    return {"code": other, "name": LANGUAGE_NAMES.get(other, other)}


# ------------------------------------------------------------ a self-completion visit

#: The session key for the language a person chose for their self-completion visit:
#: on the code page before typing their code, or with the link to the other
#: language on the questionnaire, result and progress pages (decisions 0028, 0034).
SELF_LANGUAGE = "openproms_self_language"


def self_language(request: HttpRequest, person: HasLanguage | None) -> str:
    """The language of a self-completion visit's pages: one chosen in this visit
    (``?lang=`` on the page itself, kept in the session for the next pages), else
    the person's preferred language."""
    known = _known()
    chosen = request.GET.get("lang", "")
    if chosen in known:
        request.session[SELF_LANGUAGE] = chosen
        return chosen
    kept = request.session.get(SELF_LANGUAGE, "")
    return kept if kept in known else person_language(person)
