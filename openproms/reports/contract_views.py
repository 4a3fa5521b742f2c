"""Contract pages for an organisation: list, add, edit, the burden of a service's
contracts, and each contract's commissioner report (page, PDF, Excel, CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from openproms.accounts.models import Service
from openproms.accounts.policy import Action, role_may
from openproms.core.access import org_view
from openproms.reports import (
    contract_burden,
    contract_services,
    exports,
    report_builder,
    selectors,
)
from openproms.reports.contract_forms import (
    ContractForm,
    ReportPeriodForm,
    funder_conflict,
)
from openproms.reports.models import Contract
from openproms.stats.release import whole_quarters

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
WRITERS = {
    "pdf": exports.report_pdf,
    "xlsx": exports.report_xlsx,
    "csv": exports.report_csv,
}


def _contracts(organisation: Any) -> Any:
    return (
        Contract.objects.filter(organisation=organisation)
        .select_related("commissioner")
        .prefetch_related("services", "requirements")
    )


def _contract(organisation: Any, contract_pk: int) -> Contract:
    return get_object_or_404(_contracts(organisation), pk=contract_pk)


@org_view(Action.REPORT_VIEW)
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    role = request.membership.role  # type: ignore[attr-defined]
    return render(
        request,
        "reports/contracts/contract_list.html",
        {
            "contracts": _contracts(organisation),
            "services": Service.objects.filter(organisation=organisation),
            "can_manage": role_may(role, Action.CONTRACT_MANAGE),
        },
    )


def _save_kwargs(form: ContractForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "commissioner": data["commissioner"],
        "name": data["name"].strip(),
        "reference": data["reference"].strip(),
        "services": data["services"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "disclosure_rule": data["disclosure_rule"],
        "include_pilot": data["include_pilot"],
        "measures": data["measures"],
        "time_points": data["time_points"],
        "figures": data["figures"],
    }


@org_view(Action.CONTRACT_MANAGE)
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ContractForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        contract = contract_services.contract_create(
            organisation=organisation,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
            **_save_kwargs(form),
        )
        messages.success(request, f"Contract “{contract.name}” added.")
        return redirect("reports:contract_list", org_slug=organisation.slug)
    return render(
        request,
        "reports/contracts/contract_form.html",
        {"form": form, "contract": None},
        status=400 if form.errors else 200,
    )


@org_view(Action.CONTRACT_MANAGE)
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, contract_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    contract = _contract(organisation, contract_pk)
    form = ContractForm(
        request.POST or None, organisation=organisation, contract=contract
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            contract_services.contract_update(
                contract=contract,
                expected_version=form.cleaned_data.get("version") or contract.version,
                actor=request.user,  # type: ignore[arg-type]
                request=request,
                **_save_kwargs(form),
            )
        except contract_services.ConcurrentEditError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, f"Contract “{form.cleaned_data['name']}” saved.")
            return redirect("reports:contract_list", org_slug=organisation.slug)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "reports/contracts/contract_form.html",
        {"form": form, "contract": contract},
        status=status,
    )


@org_view(Action.REPORT_VIEW)
@require_GET
def service_burden(request: HttpRequest, service_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    service = get_object_or_404(Service, organisation=organisation, pk=service_pk)
    burden = contract_burden.service_burden(organisation=organisation, service=service)
    return render(
        request,
        "reports/contracts/burden.html",
        {"service": service, "burden": burden},
    )


def report_response(
    request: HttpRequest,
    contract: Contract,
    *,
    back_url: str,
    template_base: str,
    left_out: int | None = None,
    funder: bool = False,
) -> HttpResponse:
    """The report page, or its PDF / Excel / CSV download (audited).

    ``left_out``: for the organisation's own staff only, how many people the report
    leaves out because they said no to sharing with funders (never in a file, and
    never on the commissioner's page). ``funder``: the commissioner's own page, which
    offers one whole quarter at a time (decision 0015).

    Only periods that have started have a report; one still running reads the
    figures so far, up to today, and says so (page and files)."""
    today = timezone.localdate()
    form = ReportPeriodForm(
        request.GET or None, contract=contract, funder=funder, today=today
    )

    def no_report(status: int, withheld: str = "") -> HttpResponse:
        return render(
            request,
            "reports/commissioner/report.html",
            {
                "contract": contract,
                "form": form,
                "report": None,
                "withheld": withheld,
                "funder": funder,
                "back_url": back_url,
                "template_base": template_base,
            },
            status=status,
        )

    if request.GET and not form.is_valid():
        return no_report(400)
    data = form.cleaned_data if request.GET else {}
    start: dt.date = data.get("period_start") or contract.start_date
    end: dt.date = data.get("period_end") or contract.end_date
    if funder:
        withheld = funder_withheld(contract)
        if withheld:
            return no_report(409, withheld)
        if not data.get("period_start"):
            quarter = form.default_quarter()
            if quarter is None:
                return no_report(200, _no_quarter_yet(contract))
            start, end = quarter.start, quarter.end
            form.initial["period"] = quarter.key
    if start > today:  # the whole contract period, before the contract starts
        return no_report(
            200,
            f"This contract starts on {contract.start_date:%d/%m/%Y}, so there are "
            "no figures yet: its report can be shown from that day.",
        )
    report = report_builder.build_report(contract, start=start, end=end, today=today)
    file_format = data.get("format") or ""
    if file_format in WRITERS:
        body = WRITERS[file_format](report)
        contract_services.report_export_log(
            contract=contract,
            file_format=file_format,
            start=start,
            end=end,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
        slug = "".join(ch if ch.isalnum() else "-" for ch in contract.name.lower())[:50]
        response["Content-Disposition"] = (
            f'attachment; filename="{slug}-{start:%Y%m%d}-{end:%Y%m%d}.{file_format}"'
        )
        return response
    query = request.GET.copy()
    query.pop("format", None)
    if funder:  # the downloads name the quarter shown, whatever today is
        query["period"] = next(
            q.key for q in form.whole_quarters if (q.start, q.end) == (start, end)
        )
    return render(
        request,
        "reports/commissioner/report.html",
        {
            "contract": contract,
            "form": form,
            "report": report,
            "back_url": back_url,
            "template_base": template_base,
            "left_out": left_out,
            "funder": funder,
            "query": query.urlencode(),
            "charts": [
                {
                    "outcome": o,
                    "spec_json": report_builder.charts.spec_json(o.chart.spec)
                    if o.chart
                    else None,
                    "funnel_spec_json": report_builder.charts.spec_json(o.funnel.spec)
                    if o.funnel
                    else None,
                }
                for o in report.outcomes
            ],
        },
    )


def _no_quarter_yet(contract: Contract) -> str:
    """Why a funder has no report yet: the contract has no whole quarter, or its
    first has not started."""
    quarters = whole_quarters(contract.start_date, contract.end_date)
    if quarters:
        first = quarters[0]
        return (
            f"The contract's first whole quarter, {first.label}, starts on "
            f"{first.start:%d/%m/%Y}, so there are no figures yet: its report can "
            "be shown from that day."
        )
    return (
        "Reports for funders cover whole quarters (April to June, July to "
        "September, October to December, January to March) within the contract. "
        "This contract has no whole quarter, so there is no report to show."
    )


def funder_withheld(contract: Contract) -> str:
    """Why the funder may not see this contract's report, or "": it shares a service
    and a quarter with another of their contracts with the organisation (made before
    the contract form refused that), so the two could be compared."""
    clash = funder_conflict(
        organisation=contract.organisation,
        commissioner=contract.commissioner,
        services=list(contract.services.all()),
        start=contract.start_date,
        end=contract.end_date,
        exclude=contract,
    )
    if clash is None:
        return ""
    return (
        f"This report cannot be shown: the contract shares "
        f"{' and '.join(clash.services)} with your contract “{clash.other.name}” "
        f"in {clash.span}, and comparing the two reports could reveal a small "
        f"number. Ask {contract.organisation.name} to change one of the contracts."
    )


@org_view(Action.REPORT_VIEW)
@require_GET
def contract_report(request: HttpRequest, contract_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    contract = _contract(organisation, contract_pk)
    from django.urls import reverse

    return report_response(
        request,
        contract,
        back_url=reverse(
            "reports:contract_list", kwargs={"org_slug": organisation.slug}
        ),
        template_base="base.html",
        left_out=selectors.funders_left_out(
            organisation, list(contract.services.all())
        ),
    )
