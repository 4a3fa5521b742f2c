"""Pages that print paper forms: the forms due for people, and blank copies.

Views are thin: a form validates, the due-list selector or a printing service
runs, and a page or a PDF comes back. Printing is a POST because it records each
printed form and marks its time point printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.models import Membership
from openproms.accounts.policy import Action
from openproms.accounts.terms import terms_for
from openproms.audit.reads import record_viewed
from openproms.collection import due_lists
from openproms.collection.models import TimePoint
from openproms.core.access import org_view
from openproms.scans import print_forms, selectors, services
from openproms.scoring import MeasureDefinition


@dataclass(frozen=True)
class _Row:
    point: TimePoint
    measure: str
    problem: str | None  # why this form cannot be printed


@dataclass(frozen=True)
class _Due:
    rows: list[_Row]
    left_out: int  # forms printed before, left out of the list

    @property
    def points(self) -> list[TimePoint]:
        return [row.point for row in self.rows]

    @property
    def printable(self) -> list[_Row]:
        return [row for row in self.rows if row.problem is None]

    @property
    def not_printable(self) -> list[_Row]:
        return [row for row in self.rows if row.problem is not None]


def _due(
    membership: Membership, form: print_forms.PrintDueForm, today: dt.date
) -> _Due:
    """The time points the filters choose, in the order they print (by reference),
    each with the reason it cannot be printed, if any."""
    points = due_lists.due_list(
        membership=membership, filters=form.filters(), today=today
    )
    left_out = 0
    if form.cleaned_data["leave_out_printed"]:
        left_out = points.filter(printed_at__isnull=False).count()
        points = points.filter(printed_at__isnull=True)
    definitions: dict[tuple[str, str], MeasureDefinition | None] = {}
    rows = []
    for point in points:
        key = (point.measure_id, point.measure_version)
        if key not in definitions:
            definitions[key] = selectors.measure_or_none(membership.organisation, *key)
        definition = definitions[key]
        if definition is None:
            rows.append(_Row(point, point.measure_id, "the measure is not known here"))
        else:
            problem = selectors.wording_problem(definition)
            rows.append(_Row(point, definition.short_name, problem))
    # By the person's reference, as the page says (the printed initials before
    # it would sort by first name).
    rows.sort(
        key=lambda row: (
            row.point.episode.service_user.reference.casefold(),
            row.point.measure_id,
        )
    )
    return _Due(rows, left_out)


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # names and references of people
    return response


def _due_page(
    request: HttpRequest,
    form: print_forms.PrintDueForm,
    due: _Due | None,
    *,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "due": due, "max_forms": 0}
    if due is not None:
        printable = due.printable
        context |= {
            "printable": len(printable),
            "people": len({row.point.episode.service_user_id for row in printable}),
            "too_many": len(printable) > print_forms.MAX_FORMS,
            "max_forms": print_forms.MAX_FORMS,
        }
        record_viewed(
            request,
            view="paper forms due to print",
            people=[row.point.episode.service_user_id for row in due.rows],
        )
    return render(request, "scans/print/due.html", context, status=status)


@org_view(Action.DUE_VIEW)
@require_http_methods(["GET", "POST"])
def print_due(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    posted = request.method == "POST"
    form = print_forms.PrintDueForm(
        request.POST if posted else request.GET, membership=membership
    )
    if not form.is_valid():
        return _due_page(request, form, None, status=400)
    today = timezone.localdate()
    due = _due(membership, form, today)
    if not posted:
        return _due_page(request, form, due)
    key_worker = terms_for(membership.organisation)["key_worker"]
    if not due.rows:
        form.add_error(
            None,
            print_forms.NOTHING_NEW
            if due.left_out
            else print_forms.nothing_due(key_worker),
        )
        return _due_page(request, form, due, status=400)
    if len(due.printable) > print_forms.MAX_FORMS:
        form.add_error(None, print_forms.too_many(len(due.printable), key_worker))
        return _due_page(request, form, due, status=400)
    outcome = services.forms_print(
        membership=membership,
        time_points=due.points,
        large_print=form.cleaned_data["large_print"],
        duplex=form.cleaned_data["duplex"],
        request=request,
    )
    if outcome.pdf is None:
        measures = {row.point.pk: row.measure for row in due.rows}
        for point, reason in outcome.skipped:
            form.add_error(
                None,
                f"Cannot print {measures.get(point.pk, point.measure_id)} "
                f"({point.label}) for {point.episode.service_user.display_name}: "
                f"{reason}",
            )
        return _due_page(request, form, due, status=400)
    record_viewed(
        request,
        view="paper forms printed for the people due",
        people=[row.point.episode.service_user_id for row in due.printable],
        download=True,
    )
    return _pdf(outcome.pdf, f"forms-due-{today:%Y-%m-%d}.pdf")


@org_view(Action.DUE_VIEW)
@require_http_methods(["GET", "POST"])
def print_blank(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    posted = request.method == "POST"
    form = print_forms.BlankPrintForm(
        request.POST if posted else None, membership=membership
    )
    if posted and form.is_valid():
        try:
            pdf = services.blank_forms_print(
                membership=membership,
                measure_id=form.measure_id,
                measure_version=form.measure_version,
                copies=form.cleaned_data["copies"],
                large_print=form.cleaned_data["large_print"],
                request=request,
            )
        except services.ScanError as error:
            form.add_error(None, str(error))
        else:
            name = "".join(c if c.isalnum() else "-" for c in form.measure_id)
            return _pdf(pdf, f"blank-{name}-{timezone.localdate():%Y-%m-%d}.pdf")
    return render(
        request,
        "scans/print/blank.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
