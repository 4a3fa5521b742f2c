"""Words of the pure scoring code a person reads, in Welsh: the people a published
average is about (decision 0034). Written by hand; the Welsh needs review by a
fluent speaker, as the whole catalogue does (decision 0028)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from openproms.scoring import default_library
from openproms.scoring.easy_read import (
    POPULATION_PEOPLE,
    POPULATION_PLACES,
    plain_population,
    scale_story,
)
from tests.translations.person_pages import catalogue


def _verified_populations() -> set[str]:
    return {
        norm.population
        for definition in default_library()
        for scale in definition.scales
        for norm in scale.norms
        if norm.source.verified
    }


def test_every_population_a_person_may_read_has_its_words() -> None:
    for population in _verified_populations():
        assert population.partition(",")[0].strip() in POPULATION_PEOPLE, population


def test_every_population_word_is_in_the_welsh_catalogue() -> None:
    translated = {e.msgid for e in catalogue() if e.translated()}
    wanted = {*POPULATION_PEOPLE.values(), *POPULATION_PLACES.values()}
    assert wanted <= translated, wanted - translated


def test_the_average_names_its_people_in_welsh() -> None:
    assert plain_population("Men, Health Survey for England 2012") == "men in England"
    with translation.override("cy"):
        assert (
            plain_population("Men, Health Survey for England 2012", gettext)
            == "dynion yn Lloegr"
        )
        assert plain_population("UK adults, APS 2023", gettext) == "oedolion yn y DU"
        swemwbs = next(d for d in default_library() if d.id == "swemwbs")
        story = scale_story(swemwbs, "metric", [20.0, 24.0], tr=gettext)
        averages = " ".join(story.averages)
    assert "Y cyfartaledd ar gyfer dynion yn Lloegr yw 23.7." in averages
    assert "men" not in averages.replace("menywod", "")
