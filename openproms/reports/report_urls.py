"""Routes for contracts, the burden view and commissioner reports."""

from django.urls import path

from openproms.reports import commissioner_views, contract_views

urlpatterns = [
    path(
        "o/<slug:org_slug>/contracts/",
        contract_views.contract_list,
        name="contract_list",
    ),
    path(
        "o/<slug:org_slug>/contracts/new/",
        contract_views.contract_create,
        name="contract_create",
    ),
    path(
        "o/<slug:org_slug>/contracts/<int:contract_pk>/edit/",
        contract_views.contract_edit,
        name="contract_edit",
    ),
    path(
        "o/<slug:org_slug>/contracts/<int:contract_pk>/report/",
        contract_views.contract_report,
        name="contract_report",
    ),
    path(
        "o/<slug:org_slug>/services/<int:service_pk>/burden/",
        contract_views.service_burden,
        name="service_burden",
    ),
    path(
        "commissioners/<slug:body_slug>/",
        commissioner_views.home,
        name="commissioner_home",
    ),
    path(
        "commissioners/<slug:body_slug>/contracts/",
        commissioner_views.contract_list,
        name="commissioner_contract_list",
    ),
    path(
        "commissioners/<slug:body_slug>/contracts/<int:contract_pk>/report/",
        commissioner_views.contract_report,
        name="commissioner_contract_report",
    ),
]
