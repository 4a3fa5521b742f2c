"""The import pages: upload, columns (saved and offered again), dry run, import;
scores only (labelled, never rescored); Excel; the background path."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from openproms.audit.models import AuditEvent
from openproms.collection.models import Administration
from openproms.imports import services
from openproms.imports.models import ImportedScore, ImportJob, ImportMapping
from openproms.people.models import ServiceUser
from openproms.scoring import default_library
from tests.conftest import Tenant, verified_client
from tests.imports.helpers import csv_of, good_rows, manager, messages, run, uses
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(tenant_a: Tenant) -> Tenant:
    uses(tenant_a, "gad7", "phq9")
    return tenant_a


@pytest.fixture
def client(tenant: Tenant) -> Client:
    return verified_client(manager(tenant))


def _upload(
    client: Client, tenant: Tenant, content: bytes, name: str = "old.csv"
) -> Any:
    return client.post(
        reverse("imports:import_list", args=[tenant.organisation.slug]),
        {"file": SimpleUploadedFile(name, content)},
    )


def _columns_post(client: Client, job: ImportJob, **choices: str) -> Any:
    url = reverse("imports:import_columns", args=[job.organisation.slug, job.pk])
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(choices)
    return client.post(url, data)


def test_a_manager_uploads_matches_checks_and_imports(
    client: Client, tenant: Tenant
) -> None:
    response = _upload(client, tenant, csv_of(*good_rows(tenant)))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    columns = client.get(response["Location"])
    text = columns.content.decode()
    assert "Column K: Q1" in text and "Answer to question 1" in text
    assert internal_ids_in(visible_text(text), default_library()) == []
    dry = client.get(_columns_post(client, job)["Location"])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    page = dry.content.decode()
    assert "This is a dry run: nothing has been saved yet." in page
    assert "GAD-7 answered 4 January 2021 by R-001" in page
    assert Administration.objects.count() == 0
    assert internal_ids_in(visible_text(page), default_library()) == []
    client.post(
        reverse("imports:import_commit", args=[tenant.organisation.slug, job.pk])
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Administration.objects.filter(mode=Administration.Mode.IMPORT).count() == 3
    assert AuditEvent.objects.filter(action="import.commit").count() == 1
    ann = ServiceUser.objects.get(reference="R-001")
    person = client.get(
        reverse("people:person_detail", args=[tenant.organisation.slug, ann.pk])
    )
    assert person.content.decode().count("Imported") >= 2


def test_the_columns_chosen_are_saved_and_offered_next_time(
    client: Client, tenant: Tenant
) -> None:
    headings = "Client,Form,When,Item one"
    content = csv_of("R-9,GAD-7,04/01/2021,1", headings=headings)
    _upload(client, tenant, content)
    first = ImportJob.objects.get()
    _columns_post(
        client,
        first,
        column_0="reference",
        column_1="measure",
        column_2="completed_on",
        column_3="item:1",
    )
    assert ImportMapping.objects.get().columns == {
        "client": "reference",
        "form": "measure",
        "when": "completed_on",
        "item one": "item:1",
    }
    _upload(client, tenant, content, name="again.csv")
    second = ImportJob.objects.get(file_name="again.csv")
    form = client.get(
        reverse("imports:import_columns", args=[tenant.organisation.slug, second.pk])
    ).context["form"]
    assert [form[f"column_{i}"].value() for i in range(4)] == [
        "reference",
        "measure",
        "completed_on",
        "item:1",
    ]


def test_a_mapping_without_a_reference_is_refused_in_words(
    client: Client, tenant: Tenant
) -> None:
    _upload(client, tenant, csv_of(*good_rows(tenant)))
    job = ImportJob.objects.get()
    response = _columns_post(client, job, column_0="")
    assert response.status_code == 400
    assert (
        "Choose the column that holds the person&#x27;s reference."
        in response.content.decode()
    )
    assert ImportJob.objects.get().status == ImportJob.Status.UPLOADED


def test_a_file_that_cannot_be_read_is_named_on_upload(
    client: Client, tenant: Tenant
) -> None:
    response = _upload(client, tenant, b"Reference\nR1\n\x81\x8d\n")
    page = client.get(response["Location"]).content.decode()
    assert "1 problem found: nothing was saved" in page
    assert "Row 3 has a character that is neither UTF-8 nor Windows text" in page


def test_scores_only_are_kept_as_imported_labelled_and_never_rescored(
    client: Client, tenant: Tenant
) -> None:
    content = csv_of(
        "R-5,04/01/2021,12,",
        "R-5,01/03/2021,8,5",
        headings="Reference,Date answered,GAD-7 total score,PHQ-9 total score",
    )
    job = run(tenant, content, commit=True)
    assert job.status == ImportJob.Status.IMPORTED, messages(job)
    assert job.outcome["counts"]["scores_created"] == 3
    assert Administration.objects.count() == 0
    assert sorted(ImportedScore.objects.values_list("measure_id", "value")) == [
        ("gad7", 8.0),
        ("gad7", 12.0),
        ("phq9", 5.0),
    ]
    # Rescoring the measure (after a definition change) reads stored answers only.
    run(tenant, csv_of(*good_rows(tenant)[:1]), commit=True)
    call_command("rescore", "gad7", stdout=io.StringIO())
    assert sorted(ImportedScore.objects.values_list("value", flat=True)) == [
        5.0,
        8.0,
        12.0,
    ]
    person = ServiceUser.objects.get(reference="R-5")
    page = client.get(
        reverse("people:person_detail", args=[tenant.organisation.slug, person.pk])
    ).content.decode()
    assert "Imported scores" in page and page.count("Imported score<") == 3
    assert internal_ids_in(visible_text(page), default_library()) == []
    again = run(tenant, content, commit=True)
    assert again.outcome["counts"]["scores_created"] == 0
    assert ImportedScore.objects.count() == 3


def test_a_score_out_of_its_range_is_named(tenant: Tenant) -> None:
    content = csv_of(
        "R-5,04/01/2021,22", headings="Reference,Date answered,GAD-7 total score"
    )
    job = run(tenant, content, commit=True)
    assert messages(job) == [
        "Row 2, column C (GAD-7 total score): GAD-7 total: 22 is outside its "
        "range (0 to 21)."
    ]
    assert ImportedScore.objects.count() == 0


def _workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Reference", "Measure", "Date answered", *[f"Q{n}" for n in range(1, 8)]]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_imports_like_a_csv(tenant: Tenant) -> None:
    content = _workbook(
        [
            ["R-1", "GAD-7", dt.datetime(2021, 1, 4), 1, 1, 1, 1, 1, 1, 1],
            ["R-1", "gad7", "1 March 2021", 0, 0, 0, 0, 0, 0, 0],
        ]
    )
    job = run(tenant, content, commit=True, name="old.xlsx")
    assert job.status == ImportJob.Status.IMPORTED, messages(job)
    totals = sorted(
        a.results.get().value for a in Administration.objects.filter(mode="import")
    )
    assert totals == [0, 7]


def test_an_excel_formula_or_merged_cell_writes_nothing(tenant: Tenant) -> None:
    content = _workbook(
        [
            ["R-1", "GAD-7", dt.datetime(2021, 1, 4), 1, 1, "=A1", 1, 1, 1, 1],
            ["R-2", "GAD-7", dt.datetime(2021, 1, 4), 1, 1, 1, 1, 1, 1, 1],
        ]
    )
    job = run(tenant, content, commit=True, name="old.xlsx")
    assert messages(job)[0].startswith("Row 2: cell F2 holds a formula.")
    book = Workbook()
    book.active.append(["Reference", "Measure"])
    book.active.append(["R-1", "GAD-7"])
    book.active.merge_cells("A2:B2")
    out = io.BytesIO()
    book.save(out)
    job = run(tenant, out.getvalue(), commit=True, name="merged.xlsx")
    assert "cells A2:B2 are merged" in messages(job)[0]
    assert ServiceUser.objects.count() == 0


def test_a_large_file_is_checked_and_imported_in_the_background(
    client: Client,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 5)
    rows = [
        f"P{n:04d},,,,,,,,GAD-7,04/01/2021,1,1,1,1,1,1,1"
        for n in range(services.BACKGROUND_ROWS + 1)
    ]
    _upload(client, tenant, csv_of(*rows))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        _columns_post(client, job)
    job.refresh_from_db()
    assert job.in_background and job.status == ImportJob.Status.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:import_commit", args=[tenant.organisation.slug, job.pk])
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Administration.objects.count() == services.BACKGROUND_ROWS + 1


def test_progress_is_shown_while_a_file_is_being_checked(
    client: Client, tenant: Tenant
) -> None:
    _upload(client, tenant, csv_of(*good_rows(tenant)))
    job = ImportJob.objects.get()
    job.status, job.stage, job.rows_done = ImportJob.Status.CHECKING, "Checking rows", 2
    job.in_background = True
    job.save()
    url = reverse("imports:import_detail", args=[tenant.organisation.slug, job.pk])
    part = client.get(url + "?progress=1").content.decode()
    assert 'hx-trigger="every 2s"' in part
    assert "Checking rows: 2 of 3 rows." in part
