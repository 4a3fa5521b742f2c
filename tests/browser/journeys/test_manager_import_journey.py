"""The manager imports historic answers from a spreadsheet: a bad row is named,
the file is corrected, checked (dry run) and imported, and the answers show on
the person's page, marked as imported."""

from __future__ import annotations

import pytest

from openproms.collection.models import Administration
from openproms.people.models import ServiceUser
from openproms.scoring import default_library
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"
HEADINGS = "Reference,Given name,Family name,Date of birth,Service,Episode start,Measure,Date answered,Q1,Q2,Q3"


def _file(second_answer: str) -> dict[str, object]:
    rows = [
        HEADINGS,
        "IMP-001,Nia,Evans,12/03/1979,Peer support groups,2019-01-07,UCLA-3,14/01/2019,2,2,3",
        f"IMP-001,Nia,Evans,12/03/1979,Peer support groups,2019-01-07,UCLA-3,11 March 2019,1,{second_answer},1",
    ]
    return {
        "name": "peer-support-2019.csv",
        "mimeType": "text/csv",
        "buffer": ("\n".join(rows) + "\n").encode(),
    }


def _upload(page, content: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("The file to import").set_input_files(content)
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_role(
        "heading", level=1, name="Match the columns of peer-support-2019.csv"
    ).wait_for()


def test_the_manager_imports_historic_answers_after_fixing_a_bad_row(
    page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    riverside = demo.objects["organisations"]["riverside"]
    sign_in_as(page, MANAGER)
    page.goto(f"/o/{riverside.slug}/people/")
    page.get_by_role(
        "link", name="Import people and answers from a spreadsheet"
    ).click()
    page.get_by_role("heading", level=1, name="Import historic data").wait_for()
    shot(page, "import start")

    # A file with an answer out of range: the problem is named by row and column.
    _upload(page, _file("7"))
    assert page.get_by_label("Column I: Q1").input_value() == "item:1"
    shot(page, "columns offered")
    page.get_by_role("button", name="Check the file (dry run)").click()
    problems = page.get_by_role("region", name="Problems")
    problems.wait_for()
    shot(page, "problem named")
    text = problems.inner_text()
    assert (
        "Row 3, column J (Q2): UCLA-3 question 2: \u201c7\u201d is not an allowed answer"
        in text
    )
    assert not ServiceUser.objects.filter(reference="IMP-001").exists()

    # Corrected and uploaded again: the columns are offered as chosen last time.
    page.get_by_role("link", name="Upload a corrected file").click()
    _upload(page, _file("2"))
    page.get_by_role("button", name="Check the file (dry run)").click()
    page.get_by_role("heading", name="What the import would do").wait_for()
    shot(page, "dry run")
    assert page.locator('[data-count="answers_created"]').inner_text() == "2"
    assert page.locator('[data-count="people_created"]').inner_text() == "1"
    assert internal_ids_in(page.inner_text("main"), default_library()) == []
    assert not ServiceUser.objects.filter(reference="IMP-001").exists()

    page.get_by_role("button", name="Import all 2 rows").click()
    page.get_by_role("heading", name="Imported").wait_for()
    shot(page, "imported")
    person = ServiceUser.objects.get(organisation=riverside, reference="IMP-001")
    stored = Administration.objects.filter(service_user=person)
    assert sorted(a.results.get().value for a in stored) == [4, 7]
    assert {a.mode for a in stored} == {Administration.Mode.IMPORT}

    page.goto(f"/o/{riverside.slug}/people/{person.pk}/")
    answered = page.get_by_role("region", name="Answered measures")
    answered.wait_for()
    shot(page, "person page")
    rows = answered.inner_text()
    assert rows.count("Imported") == 2 and "UCLA" in rows
