"""The Welsh catalogue is complete for every person-facing string, and the
compiled catalogue shipped with openproms is the one its .po says."""

from __future__ import annotations

import gettext

import pytest

from tests.translations.person_pages import (
    MO,
    PERSON_TEMPLATES,
    ROOT,
    catalogue,
    template_msgids,
    untranslated_template_text,
)


def test_every_message_has_a_welsh_translation_and_none_is_fuzzy() -> None:
    po = catalogue()
    empty = [e.msgid for e in po if not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert not empty and not fuzzy


@pytest.mark.parametrize("name", PERSON_TEMPLATES)
def test_a_person_facing_template_shows_no_words_outside_a_translation_tag(
    name: str,
) -> None:
    assert untranslated_template_text((ROOT / name).read_text()) == []


@pytest.mark.parametrize("name", PERSON_TEMPLATES)
def test_every_string_a_person_facing_template_marks_is_in_the_welsh_catalogue(
    name: str,
) -> None:
    translated = {e.msgid: e.msgstr for e in catalogue() if e.translated()}
    missing = [
        msgid
        for msgid in template_msgids((ROOT / name).read_text())
        if msgid not in translated
    ]
    assert missing == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue():
        if entry.msgid and not entry.msgid_plural:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_the_welsh_catalogue_ships_in_the_package() -> None:
    import tomllib

    pyproject = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    assert "*.mo" in patterns and "*.po" in patterns


def test_the_untranslated_check_catches_a_bare_english_sentence() -> None:
    source = '{% load i18n %}<p>{% translate "Thank you" %}</p><p>Send it now</p>'
    assert untranslated_template_text(source) == ["Send", "it", "now"]
