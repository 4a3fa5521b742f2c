"""Printing paper forms: the forms due for people (marked printed) and blank copies."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.catalogue.models import OrganisationMeasure
from openproms.collection.models import TimePoint
from openproms.scans import services
from openproms.scans.models import PrintedForm
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.django_db

EVERYONE = {"worker": "all", "filtered": "1", "leave_out_printed": "on"}


def _due_url(tenant):
    return reverse("scans:print_due", kwargs={"org_slug": tenant.organisation.slug})


def _blank_url(tenant):
    return reverse("scans:print_blank", kwargs={"org_slug": tenant.organisation.slug})


def _member(tenant, role):
    return tenant.members[role]


def _assert_pdf(response, filename):
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF")


def _today_name():
    return f"forms-due-{timezone.localdate():%Y-%m-%d}.pdf"


# ---------------------------------------------------------------- forms due


def test_the_page_lists_the_forms_due_and_for_whom(tenant_a, client_for):
    due_person(tenant_a, reference="P-1")
    due_person(tenant_a, reference="P-2")
    client = client_for(_member(tenant_a, "manager").user)
    response = client.get(_due_url(tenant_a), {"worker": "all"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 forms to print for 2 people" in page
    assert "P-1" in page and "P-2" in page
    assert "PHQ-9" in page
    assert "Will print" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert not PrintedForm.objects.exists()  # looking prints nothing


def test_forms_due_are_listed_in_order_of_reference_not_name(tenant_a, client_for):
    """As the page says: by reference (Zoe's P-1 before Al's P-2)."""
    zoe, _, _ = due_person(tenant_a, reference="P-1")
    al, _, _ = due_person(tenant_a, reference="P-2")
    type(zoe).objects.filter(pk=zoe.pk).update(given_name="Zoe")
    type(al).objects.filter(pk=al.pk).update(given_name="Al")
    client = client_for(_member(tenant_a, "manager").user)
    page = client.get(_due_url(tenant_a), {"worker": "all"}).content.decode()
    assert "in order of reference" in page
    assert page.index("P-1") < page.index("P-2")


@pytest.mark.parametrize("role", ["data_officer", "manager"])
def test_forms_due_show_everyone_in_the_services_by_default(tenant_a, client_for, role):
    due_person(tenant_a, reference="P-1")
    due_person(tenant_a, reference="P-2", key_worker=_member(tenant_a, "manager").user)
    client = client_for(_member(tenant_a, role).user)
    response = client.get(_due_url(tenant_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 forms to print for 2 people" in page
    assert '<option value="all" selected>Everyone</option>' in page
    # Straight from the page, printing takes the same default.
    response = client.post(_due_url(tenant_a), {"filtered": "1"})
    _assert_pdf(response, _today_name())
    assert PrintedForm.objects.count() == 2


def test_printing_returns_one_pdf_and_records_each_form(tenant_a, client_for):
    _, _, first = due_person(tenant_a, reference="P-1")
    _, _, second = due_person(tenant_a, reference="P-2")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_due_url(tenant_a), EVERYONE)
    _assert_pdf(response, _today_name())
    printed = PrintedForm.objects.filter(organisation=tenant_a.organisation)
    assert {form.time_point_id for form in printed} == {first[0].pk, second[0].pk}
    assert {form.variant for form in printed} == {"standard"}
    for point in (*first, *second):
        point.refresh_from_db()
        assert point.printed_at is not None


def test_large_print_and_both_sides_are_passed_on(tenant_a, client_for):
    due_person(tenant_a, reference="P-1")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(
        _due_url(tenant_a), EVERYONE | {"large_print": "on", "duplex": "on"}
    )
    _assert_pdf(response, _today_name())
    assert PrintedForm.objects.get().variant == "large_print"


def test_forms_printed_before_are_left_out_unless_asked_for(tenant_a, client_for):
    _, _, printed_before = due_person(tenant_a, reference="P-1")
    _, _, new = due_person(tenant_a, reference="P-2")
    services.forms_print(
        membership=_member(tenant_a, "data_officer"), time_points=printed_before
    )
    client = client_for(_member(tenant_a, "data_officer").user)

    # A link from the due list carries no choice: printed forms are left out.
    page = client.get(_due_url(tenant_a), {"worker": "all"}).content.decode()
    assert "1 form to print for 1 person" in page
    assert "1 form printed before is left out" in page
    assert "P-2" in page and "P-1" not in page

    page = client.get(
        _due_url(tenant_a), {"worker": "all", "filtered": "1"}
    ).content.decode()
    assert "2 forms to print" in page
    assert "Printed on" in page

    response = client.post(_due_url(tenant_a), EVERYONE)
    _assert_pdf(response, _today_name())
    again = PrintedForm.objects.filter(time_point=new[0])
    assert again.count() == 1
    assert PrintedForm.objects.filter(time_point=printed_before[0]).count() == 1

    response = client.post(_due_url(tenant_a), EVERYONE)
    assert response.status_code == 400
    assert "not been printed already" in response.content.decode()
    assert PrintedForm.objects.count() == 2

    response = client.post(_due_url(tenant_a), {"worker": "all", "filtered": "1"})
    _assert_pdf(response, _today_name())
    assert PrintedForm.objects.count() == 4


def test_a_worker_prints_only_for_their_caseload(tenant_a, client_for):
    _, _, mine = due_person(tenant_a, reference="P-1")
    _, _, theirs = due_person(
        tenant_a, reference="P-2", key_worker=_member(tenant_a, "manager").user
    )
    client = client_for(_member(tenant_a, "worker").user)
    page = client.get(_due_url(tenant_a), {"worker": "all"}).content.decode()
    assert "P-1" in page and "P-2" not in page
    response = client.post(_due_url(tenant_a), EVERYONE)
    _assert_pdf(response, _today_name())
    assert [form.time_point_id for form in PrintedForm.objects.all()] == [mine[0].pk]
    theirs[0].refresh_from_db()
    assert theirs[0].printed_at is None


def test_another_organisations_page_is_not_found(tenant_a, tenant_b, client_for):
    due_person(tenant_b, reference="B-1")
    client = client_for(_member(tenant_a, "org_admin").user)
    assert client.get(_due_url(tenant_b)).status_code == 404
    assert client.post(_due_url(tenant_b), EVERYONE).status_code == 404
    assert client.post(_blank_url(tenant_b), {"copies": "1"}).status_code == 404
    assert not PrintedForm.objects.exists()


def test_a_viewer_may_not_print(tenant_a, client_for):
    due_person(tenant_a, reference="P-1")
    client = client_for(_member(tenant_a, "viewer").user)
    assert client.get(_due_url(tenant_a)).status_code == 403
    assert client.post(_due_url(tenant_a), EVERYONE).status_code == 403
    assert client.get(_blank_url(tenant_a)).status_code == 403
    assert not PrintedForm.objects.exists()


def test_a_licensed_measure_without_wording_is_listed_and_the_rest_print(
    tenant_a, client_for
):
    # K10's wording is not shipped (licence.wording_shipped is false in k10-1.json).
    _, _, points = due_person(tenant_a, reference="P-1", measures=("phq9", "k10"))
    by_measure = {point.measure_id: point for point in points}
    client = client_for(_member(tenant_a, "data_officer").user)
    page = client.get(_due_url(tenant_a), {"worker": "all"}).content.decode()
    assert "1 form cannot be printed" in page
    assert "K10 is licensed and its wording has not been supplied" in page
    assert "1 form to print for 1 person" in page

    response = client.post(_due_url(tenant_a), EVERYONE)
    _assert_pdf(response, _today_name())
    assert [form.measure_id for form in PrintedForm.objects.all()] == ["phq9"]
    by_measure["k10"].refresh_from_db()
    assert by_measure["k10"].printed_at is None


def test_nothing_printable_is_refused_with_the_reason(tenant_a, client_for):
    _, _, points = due_person(tenant_a, reference="P-1", measures=("k10",))
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_due_url(tenant_a), EVERYONE)
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "Cannot print K10" in page
    assert "Sam Person (P-1)" in page
    assert not PrintedForm.objects.exists()
    points[0].refresh_from_db()
    assert points[0].printed_at is None


def test_nothing_due_is_refused(tenant_a, client_for):
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_due_url(tenant_a), EVERYONE)
    assert response.status_code == 400
    assert "Nothing is due for these filters" in response.content.decode()


def test_a_bad_filter_is_refused_and_nothing_is_printed(tenant_a, client_for):
    due_person(tenant_a, reference="P-1")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_due_url(tenant_a), EVERYONE | {"day": "soon"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "Enter the day as a real date" in page
    response = client.post(_due_url(tenant_a), EVERYONE | {"service": "999999"})
    assert response.status_code == 400
    assert "Choose a service from the list" in response.content.decode()
    assert not PrintedForm.objects.exists()
    assert not TimePoint.objects.filter(printed_at__isnull=False).exists()


def test_the_due_list_links_to_printing_with_its_filters(tenant_a, client_for):
    due_person(tenant_a, reference="P-1")
    client = client_for(_member(tenant_a, "manager").user)
    url = reverse("collection:due_list", kwargs={"org_slug": "alpha"})
    page = client.get(url, {"worker": "all"}).content.decode()
    assert f'href="{_due_url(tenant_a)}?worker=all"' in page
    assert "Print these forms" in page


# ------------------------------------------------------------- blank forms


def _uses(tenant, *measure_ids):
    for measure_id in measure_ids:
        OrganisationMeasure.objects.create(
            organisation=tenant.organisation, measure_id=measure_id, measure_version="1"
        )


def test_the_blank_page_offers_the_organisations_measures(tenant_a, client_for):
    _uses(tenant_a, "phq9", "k10")
    client = client_for(_member(tenant_a, "worker").user)
    response = client.get(_blank_url(tenant_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="phq9@1"' in page
    assert "wording not supplied, cannot be printed" in page
    assert 'value="gad7@1"' not in page


def test_blank_copies_print_as_one_pdf_with_a_record_each(tenant_a, client_for):
    _uses(tenant_a, "phq9")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_blank_url(tenant_a), {"measure": "phq9@1", "copies": "3"})
    _assert_pdf(response, f"blank-phq9-{timezone.localdate():%Y-%m-%d}.pdf")
    printed = PrintedForm.objects.filter(organisation=tenant_a.organisation)
    assert printed.count() == 3
    assert {(f.variant, f.service_user_id, f.time_point_id) for f in printed} == {
        ("blank", None, None)
    }
    assert len({f.token for f in printed}) == 3


def test_large_print_blank_copies(tenant_a, client_for):
    _uses(tenant_a, "phq9")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(
        _blank_url(tenant_a),
        {"measure": "phq9@1", "copies": "1", "large_print": "on"},
    )
    assert response.status_code == 200
    assert PrintedForm.objects.get().variant == "blank_large_print"


@pytest.mark.parametrize(
    ("copies", "message"),
    [
        ("0", "Enter a number of copies of 1 or more"),
        ("201", "Enter a number of copies of 200 or fewer"),
        ("lots", "Enter the number of copies as a whole number"),
        ("", "Enter the number of copies, from 1 to 200"),
    ],
)
def test_a_bad_number_of_copies_is_refused(tenant_a, client_for, copies, message):
    _uses(tenant_a, "phq9")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(
        _blank_url(tenant_a), {"measure": "phq9@1", "copies": copies}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert message in page
    assert not PrintedForm.objects.exists()


def test_a_measure_the_organisation_does_not_use_is_refused(tenant_a, client_for):
    _uses(tenant_a, "phq9")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_blank_url(tenant_a), {"measure": "gad7@1", "copies": "2"})
    assert response.status_code == 400
    assert "Choose one of the measures your organisation uses" in (
        response.content.decode()
    )
    assert not PrintedForm.objects.exists()


def test_a_licensed_measure_without_wording_prints_no_blank_copies(
    tenant_a, client_for
):
    _uses(tenant_a, "k10")
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_blank_url(tenant_a), {"measure": "k10@1", "copies": "2"})
    assert response.status_code == 400
    assert "K10 is licensed and its wording has not been supplied" in (
        response.content.decode()
    )
    assert not PrintedForm.objects.exists()


def test_a_service_refusal_is_shown_in_the_error_summary(
    tenant_a, client_for, monkeypatch
):
    _uses(tenant_a, "phq9")

    def refuse(**_):
        raise services.ScanError("The printer service is unavailable.")

    monkeypatch.setattr(services, "blank_forms_print", refuse)
    client = client_for(_member(tenant_a, "data_officer").user)
    response = client.post(_blank_url(tenant_a), {"measure": "phq9@1", "copies": "2"})
    assert response.status_code == 400
    assert "The printer service is unavailable." in response.content.decode()


@pytest.mark.parametrize(
    ("practice", "word"), [(True, "named clinician"), (False, "key worker")]
)
def test_printing_speaks_of_the_organisations_key_worker(
    tenant_b, client_for, practice, word
):
    if practice:
        tenant_b.organisation.kind = "gp_practice"
        tenant_b.organisation.save()
    client = client_for(_member(tenant_b, "manager").user)
    nothing = client.post(_due_url(tenant_b), EVERYONE | {"leave_out_printed": ""})
    assert nothing.status_code == 400
    page = nothing.content.decode()
    assert f"Nothing is due for these filters: change the {word}, service or day" in (
        page
    )
    refused = client.get(_due_url(tenant_b), {"worker": "999999"})
    assert f"Choose a {word} from the list" in refused.content.decode()
