"""The authorisation matrix (reliability-security.md AC1-AC4, AC8).

Walks every URL pattern: each must declare its access. Then, for every
organisation route, every role in its own organisation gets exactly what the policy
says (allowed, or 403), every member of another organisation gets 404, and so does
a commissioner. Object routes are also probed with another organisation's object.

Every response the walk gets, whatever its status, must carry the headers of
decision 0015: ``Cache-Control: no-store``, the Content-Security-Policy (this site
only, no inline script or style, no eval) and a Permissions-Policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openproms.accounts.policy import POLICY, Role
from openproms.core.access import Access, access_of
from tests.conftest import Tenant, verified_client
from tests.route_objects import FACTORIES


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "accounts:service_edit"
    pattern: str
    access: Access | None
    kwargs: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            routes.extend(_walk(entry, prefix + str(entry.pattern), inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            routes.append(
                Route(
                    name=name,
                    pattern=prefix + str(entry.pattern),
                    access=access_of(entry.callback),
                    kwargs=tuple(entry.pattern.converters),
                )
            )
    return routes


ROUTES = _walk(get_resolver())
ORG_ROUTES = [r for r in ROUTES if r.access is not None and r.access.kind == "org"]
COMMISSIONER_ROUTES = [
    r for r in ROUTES if r.access is not None and r.access.kind == "commissioner"
]

# Keywords a route may take besides org_slug; each needs a factory in
# tests/route_objects (in the module of its app).
NON_OBJECT_KWARGS = {"org_slug"}


def test_every_route_declares_who_may_reach_it() -> None:
    undeclared = [f"{r.name} ({r.pattern})" for r in ROUTES if r.access is None]
    assert undeclared == [], f"Routes without an access declaration: {undeclared}"


def test_every_organisation_route_names_an_action_in_the_policy() -> None:
    for route in ORG_ROUTES:
        assert route.access is not None and route.access.action in POLICY, route.name


def test_every_object_keyword_of_an_organisation_route_has_a_factory() -> None:
    missing = sorted(
        {
            f"{r.name}: {kwarg}"
            for r in ORG_ROUTES
            for kwarg in r.kwargs
            if kwarg not in NON_OBJECT_KWARGS and kwarg not in FACTORIES
        }
    )
    assert missing == [], f"Add factories in tests/route_objects for: {missing}"


def _objects(tenant: Tenant) -> dict[str, Any]:
    """One object for every keyword any organisation route takes."""
    made: dict[str, Any] = {}
    for kwarg in sorted({k for r in ORG_ROUTES for k in r.kwargs} - NON_OBJECT_KWARGS):
        made[kwarg] = FACTORIES[kwarg](tenant, made)
    return made


def _url(route: Route, slug: str, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {"org_slug": slug}
    for kwarg in route.kwargs:
        if kwarg not in NON_OBJECT_KWARGS:
            kwargs[kwarg] = objects[kwarg].pk
    return reverse(route.name, kwargs=kwargs)


def _commissioner_objects(tenant: Tenant) -> dict[str, Any]:
    """One object for every keyword a commissioner route takes besides body_slug
    (made in ``tenant`` and funded by the commissioner fixture's body)."""
    made: dict[str, Any] = {}
    kwargs = {k for r in COMMISSIONER_ROUTES for k in r.kwargs} - {"body_slug"}
    for kwarg in sorted(kwargs):
        made[kwarg] = FACTORIES[kwarg](tenant, made)
    return made


def _commissioner_url(route: Route, slug: str, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {"body_slug": slug}
    for kwarg in route.kwargs:
        if kwarg != "body_slug":
            kwargs[kwarg] = objects[kwarg].pk
    return reverse(route.name, kwargs=kwargs)


HEADERS_CHECKED: set[str] = set()


def check_headers(response: Any, where: str) -> None:
    """The headers every response carries (decision 0015)."""
    cache = response.get("Cache-Control", "")
    assert "no-store" in cache, (where, response.status_code, cache)
    policy = response.get("Content-Security-Policy", "")
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
    }
    assert directives.get("default-src") == ["'self'"], (where, policy)
    assert directives.get("script-src") == ["'self'"], (where, policy)
    assert directives.get("style-src") == ["'self'"], (where, policy)
    assert directives.get("frame-ancestors") == ["'none'"], (where, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    permissions = response.get("Permissions-Policy", "")
    assert "camera=()" in permissions and "geolocation=()" in permissions, (
        where,
        permissions,
    )
    HEADERS_CHECKED.add(where)


def _get(client: Any, url: str, where: str) -> Any:
    response = client.get(url)
    check_headers(response, where)
    return response


def _request(client: Any, route: Route, url: str) -> int:
    # Access is checked before the HTTP method; a POST-only page is probed by POST
    # too, so its object lookup (404 for another organisation's object) runs.
    response = _get(client, url, route.name)
    if response.status_code == 405:
        response = client.post(url)
        check_headers(response, route.name)
    return int(response.status_code)


@pytest.mark.django_db
def test_each_role_gets_what_the_policy_says_in_its_own_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    objects = _objects(tenant_a)
    cells = 0
    for role in Role:
        client = verified_client(tenant_a.members[role.value].user)
        for route in ORG_ROUTES:
            assert route.access is not None and route.access.action is not None
            status = _request(client, route, _url(route, "alpha", objects))
            allowed = role in POLICY[route.access.action]
            if allowed:
                assert status not in (403, 404), (role, route.name, status)
            else:
                assert status == 403, (role, route.name, status)
            cells += 1
    assert cells == len(Role) * len(ORG_ROUTES)


@pytest.mark.django_db
def test_every_role_gets_404_for_another_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    objects_b = _objects(tenant_b)
    for role in Role:
        client = verified_client(tenant_a.members[role.value].user)
        for route in ORG_ROUTES:
            url = _url(route, "beta", objects_b)
            assert _request(client, route, url) == 404, (role, route.name)


@pytest.mark.django_db
def test_another_organisations_object_under_your_own_organisation_is_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    objects_b = _objects(tenant_b)
    client = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    for route in ORG_ROUTES:
        if set(route.kwargs) <= NON_OBJECT_KWARGS:
            continue
        url = _url(route, "alpha", objects_b)
        assert _request(client, route, url) == 404, route.name


@pytest.mark.django_db
def test_404_for_another_organisation_looks_the_same_as_for_no_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    client = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    real = client.get(reverse("core:org_home", kwargs={"org_slug": "beta"}))
    made_up = client.get(reverse("core:org_home", kwargs={"org_slug": "no-such-org"}))
    assert real.status_code == made_up.status_code == 404
    token = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert token.sub(b"", real.content) == token.sub(b"", made_up.content)


@pytest.mark.django_db
def test_a_commissioner_reaches_no_organisation_route(
    tenant_a: Tenant, commissioner: Any
) -> None:
    objects = _objects(tenant_a)
    client = verified_client(commissioner.user)
    for route in ORG_ROUTES:
        assert _request(client, route, _url(route, "alpha", objects)) == 404, route.name


@pytest.mark.django_db
def test_commissioner_routes_answer_only_their_own_body(
    tenant_a: Tenant, commissioner: Any
) -> None:
    from openproms.accounts.models import CommissionerBody

    CommissionerBody.objects.create(name="South Council", slug="south")
    objects = _commissioner_objects(tenant_a)
    own = verified_client(commissioner.user)
    staff = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    for route in COMMISSIONER_ROUTES:
        north = _commissioner_url(route, "north-icb", objects)
        assert _get(own, north, route.name).status_code == 200, route.name
        south = _commissioner_url(route, "south", objects)
        assert _get(own, south, route.name).status_code == 404, route.name
        assert _get(staff, north, route.name).status_code == 404, route.name


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in_from_every_private_route(
    tenant_a: Tenant, commissioner: Any
) -> None:
    from django.test import Client

    objects = _objects(tenant_a)
    client = Client()
    for route in ORG_ROUTES:
        response = _get(client, _url(route, "alpha", objects), route.name)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], (
            route.name
        )
    commissioner_objects = _commissioner_objects(tenant_a)
    for route in COMMISSIONER_ROUTES:
        response = _get(
            client,
            _commissioner_url(route, "north-icb", commissioner_objects),
            route.name,
        )
        assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.django_db
def test_a_user_with_no_organisation_sees_nothing(tenant_a: Tenant) -> None:
    from tests.conftest import make_user

    loner = make_user("loner@nowhere.test")
    client = verified_client(loner)
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert b"not a member of any organisation" in home.content
    assert (
        client.get(reverse("core:org_home", kwargs={"org_slug": "alpha"})).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_removed_member_loses_access_on_the_very_next_request(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members[Role.WORKER.value]
    client = verified_client(worker.user)
    url = reverse("core:org_home", kwargs={"org_slug": "alpha"})
    assert client.get(url).status_code == 200
    worker.delete()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_role_change_takes_effect_on_the_very_next_request(tenant_a: Tenant) -> None:
    viewer = tenant_a.members[Role.VIEWER.value]
    client = verified_client(viewer.user)
    url = reverse("accounts:member_list", kwargs={"org_slug": "alpha"})
    assert client.get(url).status_code == 403
    viewer.role = Role.MANAGER
    viewer.save()
    assert client.get(url).status_code == 200


OTHER_ROUTES = [
    r
    for r in ROUTES
    if r.access is not None and r.access.kind not in ("org", "commissioner")
]


def _other_url(route: Route) -> str:
    # Token routes answer a made-up token with their "not valid" page: the
    # headers are checked on that answer.
    made_up = {
        "uidb64": "MQ",
        "token": "no-such-token",
        # API and FHIR routes (their own bearer token, none sent here: 401).
        "org_slug": "alpha",
        "person_id": 1,
        "episode_id": 1,
        "time_point_id": 1,
        "administration_id": 1,
        "questionnaire_id": "phq9.1",
        "response_id": "response.1",
        "patient_id": "person.1",
    }
    return reverse(route.name, kwargs={k: made_up[k] for k in route.kwargs})


@pytest.mark.django_db
def test_every_route_carries_the_security_headers_signed_in_and_out(
    tenant_a: Tenant, commissioner: Any
) -> None:
    from django.test import Client

    HEADERS_CHECKED.clear()
    signed_in = verified_client(tenant_a.members[Role.WORKER.value].user)
    for route in OTHER_ROUTES:
        for client in (Client(), signed_in):
            _get(client, _other_url(route), route.name)
    # Organisation and commissioner routes, as those who may reach them (the
    # tests above check them for every role too).
    manager = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    objects = _objects(tenant_a)
    for route in ORG_ROUTES:
        _request(manager, route, _url(route, "alpha", objects))
    own = verified_client(commissioner.user)
    commissioner_objects = _commissioner_objects(tenant_a)
    for route in COMMISSIONER_ROUTES:
        url = _commissioner_url(route, "north-icb", commissioner_objects)
        _get(own, url, route.name)
    assert {r.name for r in ROUTES} == HEADERS_CHECKED


@pytest.mark.django_db
def test_the_server_error_page_carries_the_headers_and_no_inline_style() -> None:
    from django.test import Client, override_settings
    from django.urls import path

    from openproms import urls as project_urls

    def broken(request: Any) -> Any:
        raise RuntimeError("broken on purpose")

    class Urls:
        urlpatterns = [*project_urls.urlpatterns, path("broken/", broken)]
        handler500 = project_urls.handler500

    with override_settings(ROOT_URLCONF=Urls):
        response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    check_headers(response, "server error")
    body = response.content.decode()
    assert "style=" not in body and "<style" not in body
    assert "openproms/error.css" in body
