"""Pages for measurement plans, due lists and missed time points."""

from django.urls import URLPattern, path

from openproms.collection import plan_views as views

ORG = "o/<slug:org_slug>/"
PLAN = f"{ORG}plans/<int:plan_pk>/"
RULE = f"{PLAN}rules/<int:rule_pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{ORG}plans/", views.plan_list, name="plan_list"),
    path(
        f"{ORG}services/<int:service_pk>/plans/",
        views.service_plans,
        name="service_plans",
    ),
    path(
        f"{ORG}services/<int:service_pk>/plans/new/",
        views.plan_create,
        name="plan_create",
    ),
    path(PLAN, views.plan_detail, name="plan_detail"),
    path(f"{PLAN}edit/", views.plan_edit, name="plan_edit"),
    path(f"{PLAN}active/", views.plan_active, name="plan_active"),
    path(f"{PLAN}rules/new/", views.rule_add, name="rule_add"),
    path(RULE, views.rule_edit, name="rule_edit"),
    path(f"{RULE}remove/", views.rule_remove, name="rule_remove"),
    path(f"{ORG}due/", views.due_list, name="due_list"),
    path(f"{ORG}due/missed/", views.missed_list, name="missed_list"),
    path(
        f"{ORG}time-points/<int:time_point_pk>/missed/",
        views.missed_record,
        name="missed_record",
    ),
    path(f"{ORG}collection-rates/", views.collection_rates, name="collection_rates"),
]
