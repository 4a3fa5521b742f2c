"""What the translation tests share: the person-facing templates, the Welsh
catalogue, and a check that a rendered page has no English left in it."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2] / "openproms"
PO = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

_ANSWER = "collection/templates/collection/answer/"
#: Every template a person (not a worker) reads: answering on a link or a
#: handed-over screen, their result, their progress, and what those pages include.
PERSON_TEMPLATES = (
    *(
        _ANSWER + name
        for name in (
            "self_answer.html",
            "self_start.html",
            "self_not_working.html",
            "self_thanks.html",
            "self_too_many.html",
            "_language_switch.html",
            "_items.html",
            "_measure_intro.html",
            "_not_in_language.html",
            "_support.html",
            "_blank_confirm.html",
            "no_wording.html",
            "result.html",
            "kiosk_base.html",
            "kiosk_answer.html",
            "kiosk_finished.html",
            "kiosk_exit.html",
        )
    ),
    "reports/templates/reports/progress/person.html",
    "reports/templates/reports/includes/chart.html",
    "core/templates/core/includes/error_summary.html",
    "core/templates/core/includes/field.html",
)

#: Words that are English and never Welsh: any of them left on a Welsh page is
#: an untranslated string.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "your",
        "you",
        "and",
        "this",
        "with",
        "what",
        "have",
        "are",
        "answer",
        "answers",
        "question",
        "questions",
        "score",
        "scores",
        "thank",
        "progress",
        "worker",
        "please",
        "send",
        "back",
        "next",
    ]
)


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def template_msgids(source: str) -> list[str]:
    """The msgids a template marks: {% translate "..." %} and the bodies of
    {% blocktranslate %} (with {{ name }} as %(name)s, as makemessages writes)."""
    found = re.findall(r'{%\s*translate\s+"([^"]*)"', source)
    found += re.findall(r"{%\s*translate\s+'([^']*)'", source)
    for body in re.findall(
        r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", source, re.S
    ):
        found.append(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body))
    return found


def untranslated_template_text(source: str) -> list[str]:
    """Words a template shows that are not inside a translation tag."""
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    text = re.sub(
        r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", text, flags=re.S
    )
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", text)
    allowed = {"openproms", "DOCTYPE"}
    return [w for w in words if w not in allowed]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"aria-label", "title", "alt"} and value:
                self.nodes.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def text_nodes(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def english_left(html: str, *, data: tuple[str, ...] = ()) -> list[str]:
    """Text nodes of a page meant to be in Welsh that still hold English: a
    catalogue msgid as it is, or an English word (after removing ``data``, the
    names and wording that are not ours to translate)."""
    msgids = {e.msgid for e in catalogue() if e.msgid and "%(" not in e.msgid}
    left = []
    for node in text_nodes(html):
        if node in msgids:
            left.append(node)
            continue
        rest = node
        for value in data:
            rest = rest.replace(value, " ")
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", rest)}
        if words & ENGLISH_WORDS:
            left.append(node)
    return left


LADDER = "openproms_life_ladder"
"""The life ladder: a measure openproms ships Welsh wording for."""
LADDER_ANSWERS = {
    f"{LADDER}_{part}": n
    for n, part in enumerate(
        (
            "home",
            "money",
            "health",
            "mood",
            "relationships",
            "daily_living",
            "confidence",
        ),
        start=3,
    )
}


def answers_posted(answers: dict[str, int]) -> dict[str, str]:
    """A questionnaire's form data for ``answers`` (item id -> code), with a new
    submission id."""
    data = {f"i_{k}": str(v) for k, v in answers.items()}
    data["submission_id"] = str(uuid.uuid4())
    return data
