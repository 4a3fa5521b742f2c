"""A black-and-white page at low resolution (a fax): every item goes to a
person, with what was read kept as the suggestion; a 200-dpi copy is read as
usual."""

from __future__ import annotations

import numpy as np
import pytest

from openproms.paper import read_image
from openproms.paper.read import _source_ppm
from openproms.paper.read_decide import COARSE_BILEVEL, COARSE_PPM
from openproms.paper.simulate import SCENARIOS, filled_form
from openproms.scoring import get_measure

from .helpers import DPI, layout_for

ANSWERS = {f"phq9_{k}": k % 4 for k in range(1, 8)}


def _form() -> np.ndarray:
    layout = layout_for(get_measure("phq9"))
    [img, _] = filled_form(layout, ANSWERS, dpi=DPI, rng=np.random.default_rng(5))
    return img


def test_the_source_resolution_is_read_off_the_registration():
    assert _source_ppm(np.diag([4.0, 4.0, 1.0])) == pytest.approx(4.0)
    turned = np.array([[0.0, -8.0, 2400.0], [8.0, 0.0, 10.0], [0.0, 0.0, 1.0]])
    assert _source_ppm(turned) == pytest.approx(8.0)


@pytest.mark.parametrize("seed", range(3))
def test_every_item_of_a_faxed_page_goes_to_a_person(seed):
    [page] = read_image(SCENARIOS["fax"](_form(), np.random.default_rng(seed)))
    assert page.status == "read"
    assert _source_ppm(np.array(page.homography).reshape(3, 3)) < COARSE_PPM
    assert page.items
    for it in page.items:
        assert it.needs_person, it
        assert it.reason.startswith(COARSE_BILEVEL), it
        # What was read stays, as the suggestion for the person.
        assert "(read: " in it.reason, it
        assert it.code is None or it.code in range(4)


def test_a_copy_at_200_dpi_is_still_read():
    [page] = read_image(SCENARIOS["photocopy"](_form(), np.random.default_rng(1)))
    read = [it for it in page.items if not it.needs_person]
    assert len(read) >= 5
    for it in read:
        assert it.code == ANSWERS[it.item_id]
        assert not it.reason.startswith(COARSE_BILEVEL)
