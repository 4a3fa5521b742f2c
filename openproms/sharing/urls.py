from django.urls import path

from openproms.sharing import gp_views, research_views

app_name = "sharing"

P = "o/<slug:org_slug>/"

urlpatterns = [
    path(
        P + "people/<int:person_pk>/share-with-gp/",
        gp_views.gp_share_create,
        name="gp_share_create",
    ),
    path(
        P + "gp-shares/<int:share_pk>/",
        gp_views.gp_share_detail,
        name="gp_share_detail",
    ),
    path(
        P + "gp-shares/<int:share_pk>/pdf/", gp_views.gp_share_pdf, name="gp_share_pdf"
    ),
    path(
        P + "gp-shares/<int:share_pk>/bundle/",
        gp_views.gp_share_bundle,
        name="gp_share_bundle",
    ),
    path(P + "gp-inbox/", gp_views.gp_inbox, name="gp_inbox"),
    path(
        P + "gp-inbox/<int:received_pk>/",
        gp_views.gp_inbox_detail,
        name="gp_inbox_detail",
    ),
    path(
        P + "gp-inbox/<int:received_pk>/pdf/",
        gp_views.gp_inbox_pdf,
        name="gp_inbox_pdf",
    ),
    path(P + "research/", research_views.research_list, name="research_list"),
    path(P + "research/new/", research_views.research_create, name="research_create"),
    path(
        P + "research/<int:project_pk>/",
        research_views.research_detail,
        name="research_detail",
    ),
    path(
        P + "research/<int:project_pk>/approve/",
        research_views.research_approve,
        name="research_approve",
    ),
    path(
        P + "research/<int:project_pk>/extract.csv",
        research_views.research_extract_csv,
        name="research_extract_csv",
    ),
    path(
        P + "research/<int:project_pk>/extract.parquet",
        research_views.research_extract_parquet,
        name="research_extract_parquet",
    ),
    path(
        P + "research/<int:project_pk>/data-dictionary.csv",
        research_views.research_dictionary_csv,
        name="research_dictionary_csv",
    ),
    path(
        P + "research/<int:project_pk>/data-dictionary.md",
        research_views.research_dictionary_markdown,
        name="research_dictionary_markdown",
    ),
    path(
        P + "people/<int:person_pk>/research-consent/",
        research_views.research_consent_create,
        name="research_consent_create",
    ),
]
