"""Collection pages: plans and due lists (plan_urls), answering (answer_urls)."""

from openproms.collection import answer_urls, plan_urls

app_name = "collection"

urlpatterns = [*plan_urls.urlpatterns, *answer_urls.urlpatterns]
