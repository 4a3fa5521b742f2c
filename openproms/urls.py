"""The project's URL map: each domain app brings its own patterns."""

from django.urls import include, path

urlpatterns = [
    path("", include("openproms.core.urls")),
    path("", include("openproms.accounts.urls")),
    path("", include("openproms.audit.urls")),
    path("", include("openproms.catalogue.urls")),
    path("", include("openproms.translations.urls")),
    path("", include("openproms.people.urls")),
    path("", include("openproms.collection.urls")),
    path("", include("openproms.reports.urls")),
    path("", include("openproms.scans.urls")),
    path("", include("openproms.imports.urls")),
    path("", include("openproms.choosing.urls")),
    path("", include("openproms.reminders.urls")),
    path("", include("openproms.governance.urls")),
    path("", include("openproms.sharing.urls")),
    path("", include("openproms.api.urls")),
]

handler400 = "openproms.core.views.bad_request"
handler403 = "openproms.core.views.permission_denied"
handler404 = "openproms.core.views.page_not_found"
handler500 = "openproms.core.views.server_error"
