"""Every exported Questionnaire, checked by a real FHIR tool: LHC-Forms 40.1.3
renders it in headless Chromium, a person's answers are chosen on the rendered
form, LHC-Forms exports the QuestionnaireResponse, and that response imports back
through ``questionnaire_response_import`` with the same answers and score.

The results per measure (rendered? round-trip score equal?) are written as a
table to ``<shots>/lforms/results.md`` beside a screenshot of each answered form
(``OPENPROMS_SHOTS_DIR``, by default ``<temp>/openproms-shots``).
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from openproms.collection.fhir_io import questionnaire_response_import
from openproms.fhir import questionnaire, validation_issues
from openproms.people.models import ServiceUser
from openproms.scoring import MeasureDefinition, default_library, score_response
from tests.browser.conftest import CHROMIUM_ARGS, MISSING_CHROMIUM, _chromium_path
from tests.conftest import Tenant
from tests.fhir.helpers import made_up_wording, some_answers

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

ORIGIN = "http://lforms.test/"
TIMEOUT_MS = 20_000
SUPPLIED = "who5"  # rendered a second time with wording an organisation supplied


@dataclass
class Rendered:
    """What happened to one Questionnaire in LHC-Forms."""

    definition: MeasureDefinition
    chosen: dict[str, int]
    rendered: bool = False
    shown_texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    response: dict[str, Any] | None = None
    screenshot: Path | None = None


def _shots() -> Path:
    given = os.environ.get("OPENPROMS_SHOTS_DIR")
    root = Path(given) if given else Path(tempfile.gettempdir()) / "openproms-shots"
    folder = root / "lforms"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _serve(root: Path) -> Any:
    def handle(route: Route) -> None:
        relative = route.request.url[len(ORIGIN) :].split("?")[0]
        path = (root / relative).resolve()
        if root not in path.parents or not path.is_file():
            route.fulfill(status=404, body="")
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            kind = "text/javascript"
        route.fulfill(
            status=200, body=path.read_bytes(), headers={"Content-Type": kind}
        )

    return handle


def _answer(page: Page, defn: MeasureDefinition, chosen: dict[str, int]) -> None:
    """Choose each answer on the rendered form as a person would: open the item's
    list and click the option, or type the number."""
    for item in defn.items:
        field_ = page.locator(f'[id="{item.id}/1"]')
        code = chosen[item.id]
        rs = item.response_set
        if rs.is_range:
            field_.fill(str(code))
            field_.press("Tab")
            continue
        field_.click()
        index = [o.code for o in rs.options].index(code)
        page.locator("#lhc-tools-searchResults li").nth(index).click()


def _render(page: Page, defn: MeasureDefinition, name: str) -> Rendered:
    result = Rendered(definition=defn, chosen=some_answers(defn, shift=1))
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{ORIGIN}page.html")
    page.wait_for_function(
        "!!(window.LForms && LForms.Util && LForms.Util.addFormToPage)"
    )
    page.evaluate("q => LForms.Util.addFormToPage(q, 'form', {})", questionnaire(defn))
    try:
        page.wait_for_selector("wc-lhc-form .lhc-form-title", timeout=TIMEOUT_MS)
        for item in defn.items:
            page.locator(f'[id="{item.id}/1"]').wait_for(state="visible")
        result.shown_texts = [
            t.strip() for t in page.locator("wc-lhc-form .question").all_inner_texts()
        ]
        _answer(page, defn, result.chosen)
        page.locator("wc-lhc-form .lhc-form-title").click()  # leave the last field
        # LHC-Forms takes in a choice when the field settles: wait until every
        # answer is in its model before exporting.
        page.wait_for_function(
            """n => (LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', '#form')
                     .item || []).length === n""",
            arg=len(result.chosen),
        )
        result.response = page.evaluate(
            "LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', '#form')"
        )
        result.screenshot = _shots() / f"{name}.png"
        page.screenshot(path=str(result.screenshot), full_page=True)
    except Exception as exc:
        problems.append(f"{type(exc).__name__}: {exc}")
    result.errors = problems
    result.rendered = not problems and result.response is not None
    return result


@pytest.fixture(scope="module")
def lforms_runs(lforms_dir: Path) -> dict[str, Rendered]:
    """Every library measure (and one with supplied wording) through LHC-Forms."""
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import sync_playwright

    runs: dict[str, Rendered] = {}
    cases = [(d.key, d) for d in default_library()]
    cases.append(
        (
            f"{SUPPLIED} (supplied wording)",
            made_up_wording(default_library().get(SUPPLIED)),
        )
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            for name, defn in cases:
                page = browser.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                page.route(f"{ORIGIN}**", _serve(lforms_dir))
                runs[name] = _render(
                    page, defn, name.replace(" ", "-").replace("@", "-")
                )
                page.close()
        finally:
            browser.close()
    return runs


def test_every_questionnaire_renders_in_lhc_forms(
    lforms_runs: dict[str, Rendered],
) -> None:
    failed = {k: r.errors for k, r in lforms_runs.items() if not r.rendered}
    assert failed == {}
    for run in lforms_runs.values():
        texts = [i.text for i in run.definition.items if i.text]
        for text in texts:  # the wording shown is the definition's, where it has some
            assert any(text.replace("  ", " ") in shown for shown in run.shown_texts), (
                text
            )


def test_licensed_wording_is_not_shown_unless_the_organisation_supplied_it(
    lforms_runs: dict[str, Rendered],
) -> None:
    bare = lforms_runs[default_library().get(SUPPLIED).key]
    supplied = lforms_runs[f"{SUPPLIED} (supplied wording)"]
    assert not any("Made-up" in t for t in bare.shown_texts)
    assert "Made-up question 1" in supplied.shown_texts[1:]


def _measure_name(name: str, run: Rendered) -> str:
    """The measure as the results table names it, by its short name."""
    said = f"{run.definition.short_name} (version {run.definition.version})"
    return f"{said}, wording supplied" if "supplied" in name else said


@pytest.mark.django_db
def test_every_lhc_forms_response_imports_back_with_the_same_score(
    lforms_runs: dict[str, Rendered], tenant_a: Tenant
) -> None:
    person = ServiceUser.objects.create(
        organisation=tenant_a.organisation, reference="LF-1"
    )
    rows = [
        "| Measure | Rendered in LHC-Forms | Round-trip score equal | Scores |",
        "|---|---|---|---|",
    ]
    unequal = {}
    for name, run in lforms_runs.items():
        if run.response is None:
            rows.append(f"| {_measure_name(name, run)} | no | not run | |")
            continue
        assert validation_issues(run.response) == [], name
        expected = score_response(run.definition, run.chosen)
        result = questionnaire_response_import(
            organisation=tenant_a.organisation,
            service_user=person,
            resource=run.response,
        )
        got = {k: s.value for k, s in result.score.scales.items()}
        want = {k: s.value for k, s in expected.scales.items()}
        same = got == want and dict(result.administration.answers) == run.chosen
        if not same:
            unequal[name] = (got, want)
        shown = "; ".join(
            f"{run.definition.scale(k).label} {v:g}"
            for k, v in got.items()
            if v is not None
        )
        rows.append(
            f"| {_measure_name(name, run)} | {'yes' if run.rendered else 'no'} "
            f"| {'yes' if same else 'NO'} | {shown} |"
        )
    (_shots() / "results.md").write_text("\n".join(rows) + "\n")
    assert unequal == {}
