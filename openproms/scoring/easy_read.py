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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from openproms.scoring.change import individual_change
from openproms.scoring.definitions import MeasureDefinition, Norm, Scale

Movement = Literal["better", "same", "worse", "changed", "once"]

#: The summary's groups, in the order a person reads them, with their headings.
GROUPS: tuple[tuple[Movement, str], ...] = (
    ("better", "What got better"),
    ("same", "What stayed about the same"),
    ("worse", "What got worse"),
    ("changed", "What changed"),
    ("once", "Answered once so far"),
)

#: Said once at the end of a group (never under each line).
GROUP_CLOSINGS: dict[Movement, str] = {
    "worse": "Your worker can talk with you about this.",
    "changed": "Your worker can tell you if these changes are better or worse.",
    "once": "There is nothing to compare yet.",
}

#: Said once, after the summary.
CAVEAT: tuple[str, ...] = (
    "Scores can go up and down a little from one time to the next.",
    "A small change may not mean much.",
    "Talk to your worker about what your scores mean for you.",
)


def fmt(x: float) -> str:
    """A score as a person writes it: no needless ``.0``, at most 2 decimals."""
    return f"{x:g}" if x == round(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def scale_name(defn: MeasureDefinition, scale: Scale) -> str:
    """The scale's display name, with the measure's short name once:
    ``PHQ-9 total``, ``ONS4 Life satisfaction``."""
    short = defn.short_name
    return scale.label if scale.label.startswith(short) else f"{short} {scale.label}"


def _score_noun(name: str) -> str:
    """``PHQ-9 total score``; a label already ending in "score" is not doubled."""
    return name if name.lower().endswith("score") else f"{name} score"


def _same(a: float, b: float) -> bool:
    return round(b - a, 6) == 0


def _move(before: float, after: float) -> str:
    """``went up from 4 to 6`` / ``has stayed at 6``."""
    if _same(before, after):
        return f"has stayed at {fmt(after)}"
    verb = "went up" if after > before else "went down"
    return f"{verb} from {fmt(before)} to {fmt(after)}"


def plain_population(population: str) -> str:
    """``Men, Health Survey for England 2012`` as ``men in England``."""
    first, _, rest = population.partition(",")
    text = first.strip()
    text = text if text[:2] == "UK" else text[0].lower() + text[1:]
    for place in ("England", "Scotland", "Wales"):
        if place in rest and place not in text:
            return f"{text} in {place}"
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
    scale; ``averages`` compare with cited norms.
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

    @property
    def summary_lines(self) -> tuple[str, ...]:
        """The lines under this scale in the summary, one idea a line."""
        return tuple(
            line
            for line in (self.since_started, self.since_last_time, self.note)
            if line
        )

    @property
    def short_lines(self) -> tuple[str, ...]:
        """The summary in fewest words, under a heading that says "since you
        started": the headline and its note."""
        return tuple(line for line in (self.headline, self.note) if line)

    @property
    def about(self) -> tuple[str, ...]:
        """How to read the scale and how it compares: the lines beside its chart."""
        return (self.range_line, self.better_line, *self.averages)


def scale_story(
    defn: MeasureDefinition,
    scale_id: str,
    values: Sequence[float],
    *,
    name: str | None = None,
) -> ScaleStory:
    """The Easy Read story of one scale's scores, oldest first (rules in the module
    docstring); ``name`` defaults to :func:`scale_name`. Raises ValueError for no
    scores or a score outside the scale's range."""
    if not values:
        raise ValueError("no scores to describe")
    scale = defn.scale(scale_id)
    name = name or scale_name(defn, scale)
    noun = _score_noun(name)
    first, latest = values[0], values[-1]
    previous = values[-2] if len(values) > 1 else None
    dir_ok = scale.direction_source is None or scale.direction_source.verified
    better_word = "higher" if scale.higher_is_better else "lower"
    better_line = (
        f"A {better_word} score is better."
        if dir_ok
        else "Ask your worker if a higher or a lower score is better."
    )
    averages = tuple(
        f"The average for {plain_population(n.population)} is {fmt(n.mean)}."
        for n in _usable_norms(scale)
    )
    range_line = f"Scores go from {fmt(scale.range_min)} to {fmt(scale.range_max)}."
    if previous is None:
        only = f"Your {noun} is {fmt(latest)}."
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
        )
    moved = _move(first, latest)
    headline = f"Your {noun} {moved}."
    since_started = f"Since you started, your {noun} {moved}."
    since_last = (
        f"Since last time, it {_move(previous, latest)}." if len(values) > 2 else ""
    )
    movement, note = _movement(defn, scale, first, latest, dir_ok)
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
        return (way, "") if change.reliable else ("same", "That is a small change.")
    mid = scale.mid
    if change.meaningful is not None and mid is not None and mid.source.verified:
        return (way, "") if change.meaningful else ("same", "That is a small change.")
    return way, ""


@dataclass(frozen=True, slots=True)
class SummaryGroup:
    """One heading of the summary with its scales, and its closing line."""

    movement: Movement
    heading: str
    stories: tuple[ScaleStory, ...]
    closing: str


def summary(stories: Iterable[ScaleStory]) -> tuple[SummaryGroup, ...]:
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
                    movement, heading, members, GROUP_CLOSINGS.get(movement, "")
                )
            )
    return tuple(out)
