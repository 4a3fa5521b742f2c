"""The printed form's own words (not the measure's), in each language a form is
printed in (decision 0028).

Pure data: the layout picks the words by the definition's language, so a page's
layout, and so where its boxes are, depends on the definition alone, and the
reader rebuilds it exactly from the form key in the QR code (``id@version~cy``).
The Welsh needs review by a fluent speaker before use, as the web pages' does.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The words, by language then purpose; placeholders are ``str.format`` names.
FORM_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "marking": (
            "Use a dark pen. Put a cross or a tick in ONE box for each question. "
            "If you change your mind, fill the wrong box in completely and mark the "
            "right one."
        ),
        "write_in": "Write a number from {min} to {max}",
        "write_in_anchors": " ({min} = {min_label}; {max} = {max_label})",
        "title": "{title} (version {version})",
        "name_box": "Your name or reference:",
        "for": "For: {reference}",
        "page": "Page {number} of {count}",
    },
    "cy": {
        "marking": (
            "Defnyddiwch feiro tywyll. Rhowch groes neu dic mewn UN blwch ar gyfer "
            "pob cwestiwn. Os byddwch chi'n newid eich meddwl, llenwch y blwch "
            "anghywir yn llwyr a marciwch yr un cywir."
        ),
        "write_in": "Ysgrifennwch rif o {min} i {max}",
        "write_in_anchors": " ({min} = {min_label}; {max} = {max_label})",
        "title": "{title} (fersiwn {version})",
        "name_box": "Eich enw neu gyfeirnod:",
        "for": "Ar gyfer: {reference}",
        "page": "Tudalen {number} o {count}",
    },
}


def form_words(language: str) -> Mapping[str, str]:
    """The form's words in ``language`` (English when it has none)."""
    return FORM_WORDS.get(language, FORM_WORDS["en"])


def form_key(measure_key: str, language: str) -> str:
    """What a printed form's code names: ``id@version``, with ``~language`` for a
    form printed in a language other than English."""
    return measure_key if language == "en" else f"{measure_key}~{language}"


def split_form_key(key: str) -> tuple[str, str, str]:
    """``(measure id, version, language)`` from a form key."""
    measure_id, _, rest = key.partition("@")
    version, _, language = rest.partition("~")
    return measure_id, version, language or "en"
