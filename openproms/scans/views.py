"""Pages for scanned paper: upload, batch progress, the verification queue, pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.catalogue.selectors import measure_definition
from openproms.catalogue.templatetags.catalogue_tags import measure_name
from openproms.core.access import org_view
from openproms.people.selectors import service_users_for, service_users_search
from openproms.scans import check_services, read_services, selectors, services
from openproms.scans import forms as scan_forms
from openproms.scans.check_services import EmptyChoice, ScanError
from openproms.scans.keys import AnswerKeys, answer_keys, is_written_number
from openproms.scans.models import ScanItem, ScanPage

PX_PER_MM = 6  # the reader's aligned page images


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _membership(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    """Upload scans, and the batches read so far."""
    organisation = _org(request)
    posted = request.method == "POST"
    form = scan_forms.UploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    status = 200
    error = ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                batch = services.batch_create(
                    membership=_membership(request),
                    files=form.cleaned_data["files"],
                    request=request,
                )
            except ScanError as e:
                error = str(e)
            else:
                return redirect("scans:batch_detail", organisation.slug, batch.pk)
    return render(
        request,
        "scans/batch_list.html",
        {
            "form": form,
            "error": error,
            "batches": selectors.batches_for(organisation)[:50],
            "work": selectors.work_counts(organisation),
        },
        status=status,
    )


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET"])
def batch_detail(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """A batch: progress while it is read, then what became of each page. With
    ``?progress=1`` only the progress part (polled by htmx while reading)."""
    organisation = _org(request)
    batch = selectors.batch_get(organisation=organisation, pk=batch_pk)
    context = {
        "batch": batch,
        "summary": selectors.batch_summary(batch),
        "work": selectors.work_counts(organisation),
        "reading": batch.status in ("queued", "reading"),
    }
    if request.GET.get("progress"):
        return render(request, "scans/_batch_body.html", context)
    return render(request, "scans/batch_detail.html", context)


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """Straight to the next item to check, or what else needs a person."""
    organisation = _org(request)
    item = selectors.items_to_check(organisation).first()
    if item is not None:
        return redirect("scans:item_check", organisation.slug, item.pk)
    return render(
        request,
        "scans/queue_empty.html",
        {"to_assign": selectors.pages_to_assign(organisation)[:100]},
    )


def _item_form(
    item: ScanItem, definition: Any, data: Any
) -> tuple[Any, AnswerKeys | None]:
    question = next((i for i in definition.items if i.id == item.item_id), None)
    if question is None:
        raise Http404("No such question.")
    label = f"Question {item.number}"
    if question.text:
        label += f": {question.text}"
    rs = question.response_set
    if is_written_number(question):
        form = scan_forms.WriteInDecisionForm(
            data, label=label, low=rs.min, high=rs.max
        )
        return form, None
    keys = answer_keys(question)
    choices = [
        (str(answer.code), answer.label or str(answer.code)) for answer in keys.answers
    ]
    return scan_forms.ItemDecisionForm(data, choices=choices, label=label), keys


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def item_check(request: HttpRequest, scan_item_pk: int) -> HttpResponse:
    """One uncertain item: the crop of its row beside the reader's best guess."""
    organisation = _org(request)
    item = selectors.item_get(organisation=organisation, pk=scan_item_pk)
    page = item.page
    if page.is_open and check_services.answered_elsewhere(page) is not None:
        # Answered another way since the scan was read: nothing to check.
        return _not_counted(request, page)
    definition = measure_definition(
        organisation=organisation,
        measure_id=page.measure_id,
        version=page.measure_version,
    )
    guess = item.code if item.decided else item.read_code
    initial = None
    if guess is not None:
        initial = {"answer": str(guess), "value": guess}
    form, keys = _item_form(
        item, definition, request.POST if request.method == "POST" else None
    )
    write_in = keys is None
    if initial and not form.is_bound:
        form.initial = initial
    error = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                check_services.item_decide(
                    membership=_membership(request),
                    item=item,
                    code=form.code(),
                    request=request,
                )
            except ScanError as e:
                error = str(e)
            else:
                page.refresh_from_db()
                if page.status == ScanPage.Status.ALREADY_ANSWERED:
                    return _not_counted(request, page)
                return redirect("scans:queue", organisation.slug)
    remaining = selectors.items_to_check(organisation).count()
    form_errors = [e for errors in form.errors.values() for e in errors]
    _viewed(request, "scanned answer check", page)
    return render(
        request,
        "scans/item_check.html",
        {
            "item": item,
            "page": page,
            "form": form,
            "keys": keys,
            "write_in": write_in,
            "guess": guess,
            "definition": definition,
            "remaining": remaining,
            "error": error,
            "form_error": form_errors[0] if form_errors else "",
            "error_href": "#id_value" if write_in else "#answer-0",
            "person": page.form.service_user if page.form else None,
        },
        status=status,
    )


def _not_counted(request: HttpRequest, page: ScanPage) -> HttpResponse:
    """Set the page aside (its time point was answered another way) and say so,
    naming any answers where the paper differs, then on to the next item."""
    if page.is_open and page.form is not None:
        check_services.form_progress(
            form=page.form,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        page.refresh_from_db()
    person = page.form.service_user if page.form else None
    whose = f" for {person.display_name}" if person else ""
    messages.warning(
        request,
        f"Not counted: the {measure_name(page.measure_id)} scan{whose}. "
        f"{page.reason[:1].upper()}{page.reason[1:]}.",
    )
    return redirect("scans:queue", page.organisation.slug)


def _viewed(request: HttpRequest, view: str, page: ScanPage) -> None:
    """A scanned page shows handwriting: its person if known, the page if not."""
    form = page.form
    person = form.service_user_id if form is not None else None
    record_viewed(
        request,
        view=view,
        people=[person] if person is not None else [],
        obj=None if person is not None else page,
    )


def _png_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET"])
def item_crop(request: HttpRequest, scan_item_pk: int) -> HttpResponse:
    """The item's row as the reader saw it (from the aligned page)."""
    item = selectors.item_get(organisation=_org(request), pk=scan_item_pk)
    image = read_services.image_array(item.page.aligned)
    if image is None:
        raise Http404("The image is no longer kept.")
    x, y, w, h = item.crop
    pad = 2.0
    y0, y1 = max(0, int((y - pad) * PX_PER_MM)), int((y + h + pad) * PX_PER_MM) + 1
    x0, x1 = max(0, int((x - pad) * PX_PER_MM)), int((x + w + pad) * PX_PER_MM) + 1
    crop = image[y0:y1, x0:x1]
    if crop.size == 0:
        raise Http404("The item is outside the kept image.")
    _viewed(request, "scanned answer image", item.page)
    return _png_response(read_services.png_bytes(crop))


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET"])
def page_image(request: HttpRequest, scan_page_pk: int) -> HttpResponse:
    """The whole page as it was scanned."""
    page = selectors.page_get(organisation=_org(request), pk=scan_page_pk)
    _viewed(request, "scanned page image", page)
    try:
        with page.image.open("rb") as handle:
            return _png_response(handle.read())
    except (FileNotFoundError, ValueError):  # ValueError: no file (image removed)
        raise Http404("The image is no longer kept.") from None


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def page_detail(request: HttpRequest, scan_page_pk: int) -> HttpResponse:
    """A page: its status and reason, its items, the full image, and what a
    person can do (read it as a chosen measure when its code was unreadable)."""
    organisation = _org(request)
    page = selectors.page_get(organisation=organisation, pk=scan_page_pk)
    read_as = None
    status = 200
    error = ""
    if page.status == ScanPage.Status.NO_CODE and page.image:
        read_as = scan_forms.ReadAsForm(
            request.POST if request.method == "POST" else None,
            measures=selectors.measure_choices(organisation),
        )
        if request.method == "POST":
            status = 400
            if read_as.is_valid():
                measure_id, version = read_as.measure_key()
                try:
                    read_services.page_read_as(
                        membership=_membership(request),
                        page=page,
                        measure_id=measure_id,
                        measure_version=version,
                        large_print=read_as.cleaned_data["large_print"],
                        request=request,
                    )
                except ScanError as e:
                    error = str(e)
                else:
                    return redirect("scans:page_detail", organisation.slug, page.pk)
    elif request.method == "POST":
        return HttpResponse("This page cannot be read again.", status=400)
    return _page_detail(request, page, read_as=read_as, error=error, status=status)


def _page_detail(
    request: HttpRequest,
    page: ScanPage,
    *,
    read_as: Any = None,
    error: str = "",
    set_aside: Any = None,
    empty: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The page's screen; an empty form offers its three choices instead of the
    plain set-aside (one of them sets it aside)."""
    if page.status == ScanPage.Status.EMPTY:
        empty = empty or scan_forms.EmptyPageForm()
    elif page.is_open:
        set_aside = set_aside or scan_forms.SetAsideForm()
    _viewed(request, "scanned page", page)
    return render(
        request,
        "scans/page_detail.html",
        {
            "page": page,
            "items": list(page.items.all()),
            "read_as": read_as,
            "error": error,
            "set_aside": set_aside,
            "empty": empty,
        },
        status=status,
    )


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def page_assign(request: HttpRequest, scan_page_pk: int) -> HttpResponse:
    """Say whose blank form this is: search, then choose the person and time point."""
    organisation = _org(request)
    membership = _membership(request)
    page = selectors.page_get(organisation=organisation, pk=scan_page_pk)
    if page.status != ScanPage.Status.UNMATCHED or page.form is None:
        return redirect("scans:page_detail", organisation.slug, page.pk)
    search = scan_forms.PersonSearchForm(request.GET or None)
    people: list[dict[str, Any]] = []
    query = ""
    if search.is_valid():
        query = search.cleaned_data["q"].strip()
        if query:
            for person in service_users_search(membership=membership, query=query)[:20]:
                points = selectors.open_time_points_for(person, page.form.measure_id)
                people.append({"person": person, "points": list(points)})
    error = ""
    status = 200
    if request.method == "POST":
        status = 400
        choice = scan_forms.AssignForm(request.POST)
        if choice.is_valid():
            person = (
                service_users_for(membership)
                .filter(pk=choice.cleaned_data["person"])
                .first()
            )
            point = None
            if choice.cleaned_data["time_point"]:
                point = selectors.time_point_in(
                    organisation, choice.cleaned_data["time_point"]
                )
            if person is None or (choice.cleaned_data["time_point"] and point is None):
                error = "That person or time point is not one you can choose."
            else:
                try:
                    check_services.page_assign(
                        membership=membership,
                        page=page,
                        service_user=person,
                        time_point=point,
                        request=request,
                    )
                except ScanError as e:
                    error = str(e)
                else:
                    messages.success(
                        request, f"The form is now {person.display_name}'s."
                    )
                    return redirect("scans:queue", organisation.slug)
        else:
            error = "Choose a person from the search results."
    record_viewed(
        request,
        view="people search (matching a scanned page)",
        people=[row["person"].pk for row in people],
        obj=page,
    )
    return render(
        request,
        "scans/page_assign.html",
        {
            "page": page,
            "search": search,
            "query": query,
            "people": people,
            "error": error,
        },
        status=status,
    )


@org_view(Action.PAPER_ENTER)
@require_POST
def page_set_aside(request: HttpRequest, scan_page_pk: int) -> HttpResponse:
    """Set an open page aside with a reason (it is kept, never counted)."""
    organisation = _org(request)
    page = selectors.page_get(organisation=organisation, pk=scan_page_pk)
    form = scan_forms.SetAsideForm(request.POST)
    if form.is_valid():
        try:
            check_services.page_set_aside(
                membership=_membership(request),
                page=page,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ScanError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "The page was set aside.")
            return redirect(
                reverse("scans:batch_detail", args=[organisation.slug, page.batch_id])
            )
    return _page_detail(request, page, set_aside=form, status=400)


def _empty_outcome(page: ScanPage, choice: EmptyChoice) -> str:
    """What became of an empty form, in a sentence."""
    form = page.form
    point = form.time_point if form else None
    whose = form.service_user.display_name if form and form.service_user else ""
    what = measure_name(page.measure_id)
    if point is not None:
        what += f" ({point.label})"
    if choice == EmptyChoice.DECLINED:
        if point is None:
            return f"The {what} form is recorded as handed back empty."
        return f"{what} for {whose} is recorded as declined: handed back empty."
    kept = f" {what} for {whose} stays open." if point is not None else ""
    if choice == EmptyChoice.NOT_THEIRS:
        return "The page was set aside as not this person's form." + kept
    return (
        "The page was set aside to be scanned again: upload the new scan as usual."
        + kept
    )


@org_view(Action.PAPER_ENTER)
@require_POST
def page_empty(request: HttpRequest, scan_page_pk: int) -> HttpResponse:
    """Say what happened to a form with no answer marked: handed back empty (the
    time point is recorded declined), not this person's, or to be scanned again."""
    organisation = _org(request)
    page = selectors.page_get(organisation=organisation, pk=scan_page_pk)
    form = scan_forms.EmptyPageForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            check_services.page_empty_resolve(
                membership=_membership(request),
                page=page,
                choice=form.chosen(),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ScanError as e:
            error = str(e)
        else:
            messages.success(request, _empty_outcome(page, form.chosen()))
            return redirect("scans:queue", organisation.slug)
    return _page_detail(request, page, error=error, empty=form, status=400)
