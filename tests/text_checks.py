"""Checks on the text a person reads: no internal names, no doubled labels.

Every label a person reads comes from a measure definition's display names (title,
short name, scale labels, item labels, answer labels), once. ``internal_ids_in``
finds what breaks that rule in a page's visible text:

* a measure or item id that is not how the measure is named (``CORE10``, ``UCLA3``,
  ``phq9_1``; ``ONS4`` and ``K10`` are fine: they are the short names);
* a snake_case token (``life_satisfaction``, ``OPENPROMS_LIFE_LADDER``);
* a scale id written as a label before its score (``clinical: 14.0``,
  ``happiness 6``; the display label ``Happiness 6`` is fine);
* a doubled label: ``X (Y) (Y)``, ``A (A)``, ``A / A``;
* a line (a table cell, a list item) that is only ``None``, ``True`` or
  ``False``: a program's value, not words saying what is empty or what holds.

Web and email addresses, file names and the paths of files a cited source names are
not text a person reads as a label, so they are left out before checking. Pass the page's visible text (for Playwright,
``page.inner_text("body")``; for a test client response, :func:`visible_text`).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable

from openproms.scoring import MeasureDefinition

_ADDRESSES = re.compile(
    r"\b(?:https?://|www\.)\S+"  # web addresses
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    r"|[\w./-]+\.(?:csv|pdf|xlsx|json|png|svg|txt|zip|html)\b"  # file names
    # Paths of files in a cited source's repository (a citation names the file it
    # read: ``server/camcops_server/extra_strings/core10.xml``, ``src/x/README.md``),
    # and file names with a source-code extension (``t_score_tables.ts``).
    r"|\b[\w.-]+(?:/[\w.-]+)+"
    r"|\b[\w-]+\.(?:py|ts|js|xml|rst|md|java|fsh)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z0-9_]+")
_WORDS = re.compile(r"[^\s]+")


def _display_strings(definition: MeasureDefinition) -> Iterable[str]:
    yield definition.title
    yield definition.short_name
    for scale in definition.scales:
        yield scale.label
    for item in definition.items:
        if item.short_label:
            yield item.short_label
    for response_set in definition.response_sets.values():
        for option in response_set.options:
            if option.label:
                yield option.label


class _Names:
    """What the library calls things inside and what it shows people."""

    def __init__(self, library: Iterable[MeasureDefinition]) -> None:
        self.display_tokens: set[str] = set()
        self.ids: dict[str, str] = {}  # lower-case id -> what it is
        self.word_ids: dict[str, str] = {}  # ids that are plain lower-case words
        self.scale_words: set[str] = set()
        for definition in library:
            for text in _display_strings(definition):
                self.display_tokens.update(_TOKEN.findall(text))
            what = f"the id of {definition.short_name}"
            ids = [(definition.id, what)] + [
                (item.id, f"an item id of {definition.short_name}")
                for item in definition.items
            ]
            for found, meaning in ids:
                if found.isalpha():
                    self.word_ids[found] = meaning
                else:
                    self.ids[found.lower()] = meaning
            for scale in definition.scales:
                if "_" not in scale.id:
                    self.scale_words.add(scale.id)


def visible_text(markup: str | bytes) -> str:
    """The text of an HTML page as a person reads it (tags, scripts, styles and
    hidden attributes' values dropped; one line per block)."""
    if isinstance(markup, bytes):
        markup = markup.decode()
    markup = re.sub(
        r"<(script|style|template)\b.*?</\1>", " ", markup, flags=re.S | re.I
    )
    markup = re.sub(
        r"</?(p|div|li|h[1-6]|tr|td|th|dt|dd|br|label|legend|option|caption|"
        r"button|section|ul|ol|table|form|fieldset|main|header|footer|nav)\b[^>]*>",
        "\n",
        markup,
        flags=re.I,
    )
    markup = re.sub(r"<[^>]+>", " ", markup)
    text = html.unescape(markup)
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _repeats(left: str, right: str) -> str | None:
    """The words at the end of ``left`` that ``right`` starts with (or all of it)."""
    before = _WORDS.findall(left)
    after = _WORDS.findall(right)
    for k in range(min(len(before), len(after)), 0, -1):
        if before[-k:] == after[:k] and any(
            ch.isalpha() for ch in "".join(before[-k:])
        ):
            return " ".join(before[-k:])
    return None


def _doubled(line: str) -> Iterable[str]:
    for match in re.finditer(r"\(([^()]+)\)\s*\(\1\)", line):
        yield f"{match.group(0)!r} repeats a label"
    for match in re.finditer(r"\(([^()]+)\)", line):
        inner = match.group(1).strip()
        head = re.split(r"[;:,.(]\s", line[: match.start()])[-1].rstrip()
        words = _WORDS.findall(inner)
        if (
            head
            and words
            and _WORDS.findall(head)[-len(words) :] == words
            and any(ch.isalpha() for ch in inner)
        ):
            yield f"'{inner} ({inner})' repeats a label"
    parts = line.split(" / ")
    for left, right in itertools.pairwise(parts):
        left = re.split(r"[;:,(]\s", left)[-1]
        repeated = _repeats(left, right)
        if repeated:
            yield f"'{repeated} / {repeated}' repeats a label"


def internal_ids_in(text: str, library: Iterable[MeasureDefinition]) -> list[str]:
    """Every internal name or doubled label in ``text``, each said once, in order
    (an empty list when the text is clean)."""
    names = _Names(library)
    text = _ADDRESSES.sub(" ", text)
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if "_" in token.strip("_") and any(ch.isalpha() for ch in token):
            found.append(f"{token!r} reads like code")
        elif token.lower() in names.ids and token not in names.display_tokens:
            found.append(f"{token!r} is {names.ids[token.lower()]}")
        elif token in names.word_ids and token not in names.display_tokens:
            found.append(f"{token!r} is {names.word_ids[token]}")
    for line in text.splitlines():
        if line.strip() in ("None", "True", "False"):
            found.append(f"{line.strip()!r} alone reads like a program's value")
        for scale_id in sorted(names.scale_words):
            pattern = rf"(?:^|[;:,(]\s*)\s*{re.escape(scale_id)}:?\s+-?\d"
            if re.search(pattern, line):
                found.append(f"{scale_id!r} is a scale id, not its label")
        found.extend(_doubled(line))
    return list(dict.fromkeys(found))
