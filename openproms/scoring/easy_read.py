"""Easy Read words about one person's scores over time.

The one source of the sentences a person reads about their progress: the "Your
progress" page (on a self-completion link and on a handed-over screen) and the
printed progress sheet all take their words from here, so they never disagree.

Easy Read habits: short sentences, one idea a line, everyday words, numbers as
digits, no abbreviations or symbols ("RCI", "SEM", "+/-", "%"), labels only from the
measure definition's display names, and the caveat said once (:data:`CAVEAT`), not
under every scale.

Two comparisons, never mixed up:

* **since you started**: the first score against the latest;
* **since last time**: the score before the latest against the latest (said only
  with three or more scores: with two, last time *is* when they started).

When the person's latest answers to a measure gave no score for a scale (a
question left blank: :class:`NoScore`), the story says so, names the date of
the last score there is, and says nothing "since last time": the move since they
started runs "to" that date.

Whether the move since they started counts as better, about the same or worse
(:func:`individual_change` gives the facts):

1. the same score: *stayed the same*;
2. which way is better is not verified for the scale: *changed* (no verdict);
3. a reliable-change threshold that is not marked unverified (and, for a move the
   wrong way, a deterioration threshold that is not either): a change at least that
   big is *better* or *worse*; a smaller one is *about the same* ("a small change");
4. otherwise a minimal important difference that is not marked unverified, the same
   way;
5. otherwise the direction alone decides; the caveat ("A small change may not mean
   much") covers small moves on scales with no agreed figure.

Unverified figures are never used, so no sentence rests on one.

Every sentence is whole (never glued from pieces) and passes through ``tr``, a
translation function the caller gives (Django's ``gettext`` on the person's pages:
decision 0028); the default leaves the English as it is. Numbers are put in after
translation, as ``%(name)s`` placeholders, so a translation may reorder them.

A GP practice's patients are told of their *care team*, not their *worker*:
:func:`practice_words` wraps ``tr`` so that each sentence naming the worker is
swapped for its practice wording (:data:`PRACTICE_WORDING`) before translation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from openproms.scoring.change import individual_change
from openproms.scoring.definitions import MeasureDefinition, Norm, Scale

Movement = Literal["better", "same", "worse", "changed", "once"]

#: A translation function: English sentence in, the sentence in the reader's
#: language out.
Translate = Callable[[str], str]


def english(text: str) -> str:
    """The sentence as written (the default ``tr``), and the marker of the English
    sentences below for the message catalogue (``openproms manage makemessages``
    runs xgettext with --keyword=english and --keyword=tr)."""
    return text


#: The summary's groups, in the order a person reads them, with their headings.
GROUPS: tuple[tuple[Movement, str], ...] = (
    ("better", english("What got better")),
    ("same", english("What stayed about the same")),
    ("worse", english("What got worse")),
    ("changed", english("What changed")),
    ("once", english("Answered once so far")),
)

#: Said once at the end of a group (never under each line).
GROUP_CLOSINGS: dict[Movement, str] = {
    "worse": english("Your worker can talk with you about this."),
    "changed": english(
        "Your worker can tell you if these changes are better or worse."
    ),
    "once": english("There is nothing to compare yet."),
}

#: Said once, after the summary.
CAVEAT: tuple[str, ...] = (
    english("Scores can go up and down a little from one time to the next."),
    english("A small change may not mean much."),
    english("Talk to your worker about what your scores mean for you."),
)


#: Said beside a scale whose better direction is not verified.
ASK_WHICH_WAY = english("Ask your worker if a higher or a lower score is better.")

#: Each sentence above that names the person's worker, as a GP practice says it.
PRACTICE_WORDING: dict[str, str] = {
    GROUP_CLOSINGS["worse"]: english("Your care team can talk with you about this."),
    GROUP_CLOSINGS["changed"]: english(
        "Your care team can tell you if these changes are better or worse."
    ),
    CAVEAT[2]: english("Talk to your care team about what your scores mean for you."),
    ASK_WHICH_WAY: english(
        "Ask your care team if a higher or a lower score is better."
    ),
}


def practice_words(tr: Translate) -> Translate:
    """``tr`` as a GP practice's patient reads it: "your care team" wherever the
    sentence would say "your worker"."""

    def translate(text: str) -> str:
        return tr(PRACTICE_WORDING.get(text, text))

    return translate


def fmt(x: float) -> str:
    """A score as a person writes it: no needless ``.0``, at most 2 decimals."""
    return f"{x:g}" if x == round(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def scale_name(defn: MeasureDefinition, scale: Scale) -> str:
    """The scale's display name, with the measure's short name once:
    ``PHQ-9 total``, ``ONS4 Life satisfaction``."""
    short = defn.short_name
    return scale.label if scale.label.startswith(short) else f"{short} {scale.label}"


def _score_noun(name: str, tr: Translate = english) -> str:
    """``PHQ-9 total score``; a label already ending in "score" is not doubled."""
    if name.lower().endswith("score"):
        return name
    return tr("%(name)s score") % {"name": name}


def _same(a: float, b: float) -> bool:
    return round(b - a, 6) == 0


#: The sentences saying how a score moved, whole, by what they compare and which
#: way it went.
MOVES: dict[str, dict[str, str]] = {
    "headline": {
        "same": english("Your %(noun)s has stayed at %(after)s."),
        "up": english("Your %(noun)s went up from %(before)s to %(after)s."),
        "down": english("Your %(noun)s went down from %(before)s to %(after)s."),
    },
    "since_started": {
        "same": english("Since you started, your %(noun)s has stayed at %(after)s."),
        "up": english(
            "Since you started, your %(noun)s went up from %(before)s to %(after)s."
        ),
        "down": english(
            "Since you started, your %(noun)s went down from %(before)s to %(after)s."
        ),
    },
    # The latest answers gave no score: the move up to the last score, dated.
    "headline_to": {
        "same": english("Your %(noun)s stayed at %(after)s up to %(date)s."),
        "up": english(
            "Your %(noun)s went up from %(before)s to %(after)s by %(date)s."
        ),
        "down": english(
            "Your %(noun)s went down from %(before)s to %(after)s by %(date)s."
        ),
    },
    "since_started_to": {
        "same": english(
            "From when you started to %(date)s, your %(noun)s stayed at %(after)s."
        ),
        "up": english(
            "From when you started to %(date)s, your %(noun)s went up from "
            "%(before)s to %(after)s."
        ),
        "down": english(
            "From when you started to %(date)s, your %(noun)s went down from "
            "%(before)s to %(after)s."
        ),
    },
    "since_last": {
        "same": english("Since last time, it has stayed at %(after)s."),
        "up": english("Since last time, it went up from %(before)s to %(after)s."),
        "down": english("Since last time, it went down from %(before)s to %(after)s."),
    },
}


def _move(
    kind: str,
    noun: str,
    before: float,
    after: float,
    tr: Translate = english,
    date: str = "",
) -> str:
    """``Your PHQ-9 total score went up from 4 to 6.`` and the like."""
    way = "same" if _same(before, after) else ("up" if after > before else "down")
    return tr(MOVES[kind][way]) % {
        "noun": noun,
        "before": fmt(before),
        "after": fmt(after),
        "date": date,
    }


@dataclass(frozen=True, slots=True)
class NoScore:
    """The person's latest answers gave no score for a scale: ``on`` is the date of
    those answers and ``last_on`` of the last score there is (both as the reader
    writes dates), ``blank`` the numbers of the scale's questions left blank."""

    on: str
    last_on: str
    blank: tuple[int, ...] = ()


def numbers_listed(numbers: Sequence[int], tr: Translate = english) -> str:
    """``3``, ``2 and 3``, ``1, 2 and 4``."""
    texts = [str(n) for n in numbers]
    if len(texts) < 2:
        return "".join(texts)
    return tr("%(listed)s and %(last)s") % {
        "listed": ", ".join(texts[:-1]),
        "last": texts[-1],
    }


#: Why the latest answers gave no score, by how many questions were left blank.
NO_SCORE_LINES: dict[str, str] = {
    "one": english(
        "Your latest answers, on %(date)s, gave no %(noun)s because question "
        "%(numbers)s was left blank."
    ),
    "many": english(
        "Your latest answers, on %(date)s, gave no %(noun)s because questions "
        "%(numbers)s were left blank."
    ),
    "unknown": english(
        "Your latest answers, on %(date)s, gave no %(noun)s because questions "
        "were left blank."
    ),
}


def _no_score_line(no_score: NoScore, noun: str, tr: Translate) -> str:
    count = len(no_score.blank)
    kind = "unknown" if count == 0 else ("one" if count == 1 else "many")
    return tr(NO_SCORE_LINES[kind]) % {
        "date": no_score.on,
        "noun": noun,
        "numbers": numbers_listed(no_score.blank, tr),
    }


#: The people a published average is about, as a person reads them: the first
#: part of a norm's ``population`` ("Men, Health Survey for England 2012"), for
#: every population of a verified norm in the library (a test keeps this whole).
POPULATION_PEOPLE: dict[str, str] = {
    "Men": english("men"),
    "Women": english("women"),
    "UK adults": english("UK adults"),
    "US general population (T-score metric)": english("adults in the USA"),
    "ELFT routine data (life domains)": english(
        "people using East London NHS Foundation Trust's services"
    ),
    "ELFT routine data (treatment items)": english(
        "people using East London NHS Foundation Trust's services"
    ),
}
#: Where the people live, when the rest of the population names a country.
POPULATION_PLACES: dict[str, str] = {
    "England": english("%(people)s in England"),
    "Scotland": english("%(people)s in Scotland"),
    "Wales": english("%(people)s in Wales"),
}


def plain_population(population: str, tr: Translate = english) -> str:
    """``Men, Health Survey for England 2012`` as ``men in England``, in the
    language of ``tr`` (a population not in :data:`POPULATION_PEOPLE` is shown
    as the library gives it)."""
    first, _, rest = population.partition(",")
    first = first.strip()
    known = POPULATION_PEOPLE.get(first)
    if known is not None:
        text = tr(known)
    else:
        text = first if first[:2] == "UK" else first[0].lower() + first[1:]
    for place, sentence in POPULATION_PLACES.items():
        if place in rest and place not in first:
            return tr(sentence) % {"people": text}
    return text


def _usable_norms(scale: Scale) -> tuple[Norm, ...]:
    return tuple(n for n in scale.norms if n.source.verified)


@dataclass(frozen=True, slots=True)
class ScaleStory:
    """What one scale's scores say, in Easy Read lines.

    ``since_started`` and ``since_last_time`` are the two comparisons (empty when
    they cannot be made); ``headline`` is the first without its "Since you
    started," for a list already headed so; ``note`` qualifies the move since
    they started ("That is a small change."); ``about`` says how to read the
    scale; ``averages`` compare with cited norms; ``no_score_line`` says that the
    latest answers gave no score (empty when they did).
    """

    name: str
    movement: Movement
    first: float
    latest: float
    previous: float | None
    headline: str
    since_started: str
    since_last_time: str
    note: str
    range_line: str
    better_line: str
    averages: tuple[str, ...]
    no_score_line: str = ""

    @property
    def summary_lines(self) -> tuple[str, ...]:
        """The lines under this scale in the summary, one idea a line; the note
        straight after the move since they started, which is the move it is about
        (after "since last time" it read as about that move)."""
        return tuple(
            line
            for line in (
                self.since_started,
                self.note,
                self.since_last_time,
                self.no_score_line,
            )
            if line
        )

    @property
    def short_lines(self) -> tuple[str, ...]:
        """The summary in fewest words, under a heading that says "since you
        started": the headline and its note (and that the latest answers gave no
        score, which the headline's date alone would not say)."""
        return tuple(
            line for line in (self.headline, self.note, self.no_score_line) if line
        )

    @property
    def about(self) -> tuple[str, ...]:
        """How to read the scale and how it compares: the lines beside its chart."""
        lines = (self.range_line, self.better_line, *self.averages)
        return (self.no_score_line, *lines) if self.no_score_line else lines


def scale_story(
    defn: MeasureDefinition,
    scale_id: str,
    values: Sequence[float],
    *,
    name: str | None = None,
    tr: Translate = english,
    no_score: NoScore | None = None,
) -> ScaleStory:
    """The Easy Read story of one scale's scores, oldest first (rules in the module
    docstring); ``name`` defaults to :func:`scale_name`; ``no_score`` when the
    latest answers gave no score (``values`` are then the scores before them).
    Raises ValueError for no scores or a score outside the scale's range."""
    if not values:
        raise ValueError("no scores to describe")
    scale = defn.scale(scale_id)
    name = name or scale_name(defn, scale)
    noun = _score_noun(name, tr)
    first, latest = values[0], values[-1]
    previous = values[-2] if len(values) > 1 else None
    dir_ok = scale.direction_source is None or scale.direction_source.verified
    if not dir_ok:
        better_line = tr(ASK_WHICH_WAY)
    elif scale.higher_is_better:
        better_line = tr("A higher score is better.")
    else:
        better_line = tr("A lower score is better.")
    averages = tuple(
        tr("The average for %(population)s is %(mean)s.")
        % {"population": plain_population(n.population, tr), "mean": fmt(n.mean)}
        for n in _usable_norms(scale)
    )
    range_line = tr("Scores go from %(min)s to %(max)s.") % {
        "min": fmt(scale.range_min),
        "max": fmt(scale.range_max),
    }
    no_score_line = _no_score_line(no_score, noun, tr) if no_score else ""
    if previous is None:
        if no_score is None:
            only = tr("Your %(noun)s is %(score)s.") % {
                "noun": noun,
                "score": fmt(latest),
            }
        else:
            only = tr("Your last %(noun)s, on %(date)s, was %(score)s.") % {
                "noun": noun,
                "date": no_score.last_on,
                "score": fmt(latest),
            }
        return ScaleStory(
            name,
            "once",
            first,
            latest,
            None,
            only,
            only,
            "",
            "",
            range_line,
            better_line,
            averages,
            no_score_line,
        )
    if no_score is None:
        headline = _move("headline", noun, first, latest, tr)
        since_started = _move("since_started", noun, first, latest, tr)
        since_last = (
            _move("since_last", noun, previous, latest, tr) if len(values) > 2 else ""
        )
    else:
        # "Since last time" would be about answers that gave no score: not said.
        on = no_score.last_on
        headline = _move("headline_to", noun, first, latest, tr, on)
        since_started = _move("since_started_to", noun, first, latest, tr, on)
        since_last = ""
    movement, note = _movement(defn, scale, first, latest, dir_ok)
    note = tr(note) if note else ""
    return ScaleStory(
        name,
        movement,
        first,
        latest,
        previous,
        headline,
        since_started,
        since_last,
        note,
        range_line,
        better_line,
        averages,
        no_score_line,
    )


def _movement(
    defn: MeasureDefinition, scale: Scale, first: float, latest: float, dir_ok: bool
) -> tuple[Movement, str]:
    """The group for the move since the start, and a note when it is small."""
    if _same(first, latest):
        return "same", ""
    if not dir_ok:
        return "changed", ""
    change = individual_change(defn, scale.id, first, latest)
    way: Movement = "better" if change.direction == "improved" else "worse"
    threshold_usable = change.reliable is not None and change.threshold_verified
    if threshold_usable and way == "worse":
        threshold_usable = change.deterioration_verified is not False
    if threshold_usable:
        small = english("That is a small change.")
        return (way, "") if change.reliable else ("same", small)
    mid = scale.mid
    if change.meaningful is not None and mid is not None and mid.source.verified:
        small = english("That is a small change.")
        return (way, "") if change.meaningful else ("same", small)
    return way, ""


@dataclass(frozen=True, slots=True)
class SummaryGroup:
    """One heading of the summary with its scales, and its closing line."""

    movement: Movement
    heading: str
    stories: tuple[ScaleStory, ...]
    closing: str


def summary(
    stories: Iterable[ScaleStory], tr: Translate = english
) -> tuple[SummaryGroup, ...]:
    """The summary: what got better, what stayed about the same, what got worse
    (then what changed with no verdict, and what was answered once); groups with
    nothing in them are left out."""
    listed = list(stories)
    out = []
    for movement, heading in GROUPS:
        members = tuple(s for s in listed if s.movement == movement)
        if members:
            out.append(
                SummaryGroup(
                    movement,
                    tr(heading),
                    members,
                    tr(GROUP_CLOSINGS[movement]) if movement in GROUP_CLOSINGS else "",
                )
            )
    return tuple(out)
