"""The measure designer's pages: the organisation's own measures, a draft's form
(rows added and removed with htmx), publishing, new versions, the printed preview
and copying a library measure to adapt (decision 0026)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.catalogue import design_services, selectors
from openproms.catalogue.design_checks import band_notes
from openproms.catalogue.design_document import (
    NOT_TESTED,
    copy_refusal,
    design_from_document,
)
from openproms.catalogue.design_forms import (
    DesignForm,
    blank_design,
    design_values,
    rows_changed,
)
from openproms.catalogue.models import BespokeMeasure
from openproms.core.access import org_view
from openproms.paper import FormContext, make_layout, render_pdf
from openproms.scoring import MeasureNotFound, get_measure

TEMPLATE = "catalogue/design/"


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _edit_url(own: BespokeMeasure) -> str:
    return reverse(
        "catalogue:design_edit",
        kwargs={
            "org_slug": own.organisation.slug,
            "measure_id": own.measure_id,
            "measure_version": own.measure_version,
        },
    )


@org_view(Action.MEASURE_MANAGE)
def own_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATE}own_list.html",
        {
            "measures": selectors.own_measures(_organisation(request)),
            "not_tested": NOT_TESTED,
        },
    )


def _form_page(
    request: HttpRequest,
    form: DesignForm,
    *,
    own: BespokeMeasure | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        **form.context(),
        "own": own,
        "not_tested": NOT_TESTED,
        "action": _edit_url(own)
        if own is not None
        else reverse(
            "catalogue:design_new", kwargs={"org_slug": _organisation(request).slug}
        ),
    }
    if request.headers.get("HX-Request"):
        return render(request, f"{TEMPLATE}_form.html", context, status=status)
    return render(request, f"{TEMPLATE}edit.html", context, status=status)


def _posted(
    request: HttpRequest, *, measure_id: str, version: str
) -> tuple[DesignForm, bool]:
    """The posted form, and whether the post only added or removed a row."""
    changing_rows = bool(request.POST.get("add_row") or request.POST.get("remove_row"))
    form = DesignForm(
        rows_changed(request.POST),
        measure_id=measure_id,
        version=version,
        organisation=_organisation(request).name,
    )
    return form, changing_rows


@org_view(Action.MEASURE_MANAGE)
@require_http_methods(["GET", "POST"])
def design_new(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    if request.method == "GET":
        form = DesignForm(
            design_values(blank_design()),
            measure_id="new",
            version="1",
            organisation=organisation.name,
        )
        return _form_page(request, form, own=None)
    title = request.POST.get("title", "")
    measure_id = design_services.bespoke_measure_id(
        organisation=organisation, title=title
    )
    form, changing_rows = _posted(request, measure_id=measure_id, version="1")
    if changing_rows:
        return _form_page(request, form, own=None)
    if not form.is_valid() or form.document is None:
        return _form_page(request, form, own=None, status=400)
    draft = design_services.measure_draft_create(
        organisation=organisation,
        document=form.document,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(request, f"Draft of {form.design.title} saved.")
    return _redirect_to(request, draft)


def _redirect_to(request: HttpRequest, own: BespokeMeasure) -> HttpResponse:
    url = _edit_url(own)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


@org_view(Action.MEASURE_MANAGE)
@require_http_methods(["GET", "POST"])
def design_edit(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation = _organisation(request)
    own = selectors.own_measure_get(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    if not own.is_draft:
        return _version_page(request, own)
    if request.method == "GET":
        form = DesignForm(
            design_values(design_from_document(own.definition)),
            measure_id=measure_id,
            version=measure_version,
            organisation=organisation.name,
        )
        return _form_page(request, form, own=own)
    form, changing_rows = _posted(
        request, measure_id=measure_id, version=measure_version
    )
    if changing_rows:
        return _form_page(request, form, own=own)
    if not form.is_valid() or form.document is None:
        return _form_page(request, form, own=own, status=400)
    design_services.measure_draft_save(
        draft=own,
        document=form.document,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(request, f"Draft of {form.design.title} saved.")
    return _redirect_to(request, own)


def _version_page(request: HttpRequest, own: BespokeMeasure) -> HttpResponse:
    """A published version: what it is, frozen, and the way to change it."""
    definition = selectors.design_definition(
        organisation=own.organisation,
        measure_id=own.measure_id,
        version=own.measure_version,
    )
    design = design_from_document(own.definition)
    questions = [
        {
            "text": q.text,
            "reverse": q.reverse,
            "scored": q.scored,
            "answers": design.answer_sets[(q.answer_set or 1) - 1].name,
        }
        for q in design.questions
    ]
    return render(
        request,
        f"{TEMPLATE}published.html",
        {
            "own": own,
            "definition": definition,
            "design": design,
            "band_notes": band_notes(design),
            "questions": questions,
            "not_tested": NOT_TESTED,
            "versions": selectors.own_measure_versions(
                organisation=own.organisation, measure_id=own.measure_id
            ),
        },
    )


@org_view(Action.MEASURE_MANAGE)
@require_POST
def design_publish(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    own = selectors.own_measure_get(
        organisation=_organisation(request),
        measure_id=measure_id,
        version=measure_version,
    )
    if not own.is_draft:
        messages.info(request, "This version is already published and cannot change.")
        return redirect(_edit_url(own))
    design_services.measure_publish(
        draft=own,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(
        request,
        f"Version {own.measure_version} of {own.definition['title']} is published. "
        "It can no longer change: to change it, make a new version.",
    )
    return redirect(_edit_url(own))


@org_view(Action.MEASURE_MANAGE)
@require_POST
def design_new_version(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    own = selectors.own_measure_get(
        organisation=_organisation(request),
        measure_id=measure_id,
        version=measure_version,
    )
    if own.is_draft:
        return redirect(_edit_url(own))
    draft = design_services.measure_new_version(
        published=own,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(
        request,
        f"Version {draft.measure_version} is a draft: change it, then publish it. "
        f"Answers already given stay on the version they were given on.",
    )
    return redirect(_edit_url(draft))


def _layout(request: HttpRequest, measure_id: str, measure_version: str) -> Any:
    organisation = _organisation(request)
    definition = selectors.design_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    return make_layout(definition, "standard", FormContext(organisation.name))


@org_view(Action.MEASURE_MANAGE)
def printed_preview_pdf(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    pdf = render_pdf([_layout(request, measure_id, measure_version)])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{measure_id}-{measure_version}-preview.pdf"'
    )
    return response


@org_view(Action.MEASURE_MANAGE)
def printed_preview_png(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    """The first printed page as an image, for the designer's page."""
    import pypdfium2 as pdfium

    pdf = render_pdf([_layout(request, measure_id, measure_version)])
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1.2).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return HttpResponse(out.getvalue(), content_type="image/png")


@org_view(Action.MEASURE_MANAGE)
@require_http_methods(["GET", "POST"])
def design_copy(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    """Copy a library measure (where its licence allows changes) or one of the
    organisation's own published measures into a new draft measure."""
    organisation = _organisation(request)
    try:
        source = dict(get_measure(measure_id, measure_version).raw)
        library = True
    except MeasureNotFound:
        own = selectors.own_measure_get(
            organisation=organisation, measure_id=measure_id, version=measure_version
        )
        source, library = own.definition, False
    refusal = copy_refusal(source) if library else None
    if refusal is not None or request.method == "GET":
        return render(
            request,
            f"{TEMPLATE}copy.html",
            {"source": source, "refusal": refusal, "not_tested": NOT_TESTED},
            status=200 if refusal is None or request.method == "GET" else 400,
        )
    design = design_from_document(source)
    design.title = f"{design.title} (adapted)"
    design.short_name = f"{design.short_name} (adapted)"
    new_id = design_services.bespoke_measure_id(
        organisation=organisation, title=design.short_name
    )
    form = DesignForm(
        design_values(design),
        measure_id=new_id,
        version="1",
        organisation=organisation.name,
    )
    if not form.is_valid() or form.document is None:
        # Shown to finish by hand as a new measure; nothing is stored yet.
        return _form_page(request, form, own=None)
    draft = design_services.measure_draft_create(
        organisation=organisation,
        document=form.document,
        actor=request.user,  # type: ignore[arg-type]
        copied_from=f"{measure_id}@{measure_version}",
        request=request,
    )
    messages.success(
        request,
        f"{design.title} is a draft copy. Change what you need, then publish it. "
        "As an adapted measure it is no longer the published original.",
    )
    return redirect(_edit_url(draft))
