"""Retention: a shorter period that would bring people into erasure is saved
only after the admin sees who (name, reference, when) and confirms; nothing is
stored before, and a confirmation for another value or another list of people
saves nothing. Lengthening, or a change that erases nobody new, saves at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.governance.models import Erasure, RetentionSetting
from openproms.governance.retention import months_after, newly_due
from openproms.people.models import Episode, ServiceUser
from openproms.scoring.library import default_library
from tests.conftest import Tenant, verified_client
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db


def _url() -> str:
    return reverse("governance:retention", kwargs={"org_slug": "alpha"})


def _person(
    tenant: Tenant, reference: str, given: str, family: str, ended: dt.date
) -> ServiceUser:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference=reference,
        given_name=given,
        family_name=family,
    )
    Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=ended - dt.timedelta(days=200),
        end_date=ended,
        status=Episode.Status.CLOSED,
    )
    return person


def _people(tenant: Tenant) -> dict[str, ServiceUser]:
    """Under the default 96 months nobody goes in the next 30 days; under 24
    months, Ada at the next run and Ben in ten days; Cal is kept either way."""
    today = timezone.localdate()
    return {
        "ada": _person(tenant, "RV-001", "Ada", "Lovell", months_after(today, -30)),
        "ben": _person(
            tenant,
            "RV-002",
            "Ben",
            "Marsh",
            months_after(today, -24) + dt.timedelta(days=10),
        ),
        "cal": _person(tenant, "RV-003", "Cal", "Reyes", months_after(today, -12)),
    }


def _admin(tenant: Tenant) -> Any:
    return verified_client(tenant.members["org_admin"].user)


def _token(response: Any) -> str:
    found = re.search(r'name="confirmation" value="([^"]+)"', response.content.decode())
    assert found is not None
    return found.group(1)


def _day(day: dt.date | None) -> str:
    assert day is not None
    return f"{day.day} {day:%B %Y}"


def _rows(response: Any) -> list[list[str]]:
    """The table's rows as read: each cell without its small-screen heading."""
    rows = []
    for row in re.findall(
        r"<tr role=\"row\" class=\"nhsuk-table__row\">(.*?)</tr>",
        response.content.decode(),
        flags=re.S,
    ):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append(
            [
                visible_text(
                    re.sub(r"<span[^>]*aria-hidden[^>]*>.*?</span>", "", c)
                ).strip()
                for c in cells
            ]
        )
    return rows


def _nothing_stored() -> None:
    assert not RetentionSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="retention.set").exists()
    assert not Erasure.objects.exists()
    assert ServiceUser.objects.count() == 3


def test_a_shorter_period_that_erases_people_asks_first(tenant_a: Tenant) -> None:
    people = _people(tenant_a)
    response = _admin(tenant_a).post(_url(), {"months": "24"})
    assert response.status_code == 200
    text = visible_text(response.content)
    assert internal_ids_in(text, default_library()) == []
    assert "Keeping records for 24 months will erase 2 people" in text
    assert "Records are kept for 96 months now" in text
    assert "Erasing cannot be undone" in text
    assert "The retention period is saved" not in text
    ben_on = months_after(people["ben"].episodes.get().end_date, 24)  # type: ignore[arg-type]
    assert _rows(response) == [
        [
            "Ada Lovell",
            "RV-001",
            _day(months_after(timezone.localdate(), -30)),
            "The next daily run",
        ],
        [
            "Ben Marsh",
            "RV-002",
            _day(people["ben"].episodes.get().end_date),
            _day(ben_on),
        ],
    ]
    assert "Cal Reyes" not in text and "RV-003" not in text
    markup = response.content.decode()
    assert (
        '<button class="nhsuk-button nhsuk-button--warning" type="submit">Confirm'
        in (markup)
    )
    assert f'<a href="{_url()}">Cancel</a>' in markup
    assert 'name="months" value="24"' in markup
    _nothing_stored()
    # Cancel is a plain link back: the page still says 96 months.
    assert "96 months (8 years)" in visible_text(_admin(tenant_a).get(_url()).content)
    _nothing_stored()


def test_confirming_saves_the_period_seen(tenant_a: Tenant) -> None:
    _people(tenant_a)
    admin = _admin(tenant_a)
    token = _token(admin.post(_url(), {"months": "24"}))
    _nothing_stored()
    saved = admin.post(_url(), {"months": "24", "confirmation": token}, follow=True)
    assert "The retention period is saved." in visible_text(saved.content)
    setting = RetentionSetting.objects.get()
    assert setting.months == 24
    assert setting.changed_by == tenant_a.members["org_admin"].user
    event = AuditEvent.objects.get(action="retention.set")
    assert event.detail == {"months": 24}
    assert not Erasure.objects.exists()  # the daily job erases, not the page


@pytest.mark.parametrize("months", ["12", "23"])
def test_a_confirmation_sent_with_another_value_saves_nothing(
    tenant_a: Tenant, months: str
) -> None:
    _people(tenant_a)
    admin = _admin(tenant_a)
    token = _token(admin.post(_url(), {"months": "24"}))
    response = admin.post(_url(), {"months": months, "confirmation": token})
    assert response.status_code == 200
    text = visible_text(response.content)
    assert "The retention period is not saved yet" in text
    assert f"Keeping records for {months} months will erase" in text
    _nothing_stored()
    # The page asks again for the value sent, with its own confirmation.
    admin.post(_url(), {"months": months, "confirmation": _token(response)})
    assert RetentionSetting.objects.get().months == int(months)


def test_a_forged_or_stale_confirmation_saves_nothing(tenant_a: Tenant) -> None:
    _people(tenant_a)
    admin = _admin(tenant_a)
    for forged in (
        "yes",
        "confirmed",
        _token(admin.post(_url(), {"months": "24"}))[:-2],
    ):
        response = admin.post(_url(), {"months": "24", "confirmation": forged})
        assert response.status_code == 200
        assert "The retention period is not saved yet" in visible_text(response.content)
    _nothing_stored()
    # Someone else comes into the list after the admin looked: asked again.
    token = _token(admin.post(_url(), {"months": "24"}))
    _person(tenant_a, "RV-004", "Dee", "Hart", months_after(timezone.localdate(), -40))
    response = admin.post(_url(), {"months": "24", "confirmation": token})
    text = visible_text(response.content)
    assert "The retention period is not saved yet" in text
    assert "will erase 3 people" in text and "Dee Hart" in text
    assert not RetentionSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="retention.set").exists()


def test_lengthening_or_erasing_nobody_new_saves_at_once(tenant_a: Tenant) -> None:
    people = _people(tenant_a)
    admin = _admin(tenant_a)
    saved = admin.post(_url(), {"months": "120"})
    assert saved.status_code == 302
    assert RetentionSetting.objects.get().months == 120
    # 36 months erases nobody in the next 30 days: saved at once.
    assert newly_due(tenant_a.organisation, 36, timezone.localdate()) == []
    assert admin.post(_url(), {"months": "36"}).status_code == 302
    assert RetentionSetting.objects.get().months == 36
    assert ServiceUser.objects.filter(pk=people["ada"].pk).exists()


def test_people_already_due_are_not_asked_about_again(tenant_a: Tenant) -> None:
    people = _people(tenant_a)
    admin = _admin(tenant_a)
    token = _token(admin.post(_url(), {"months": "24"}))
    admin.post(_url(), {"months": "24", "confirmation": token})
    # Ada and Ben are due under 24 months; 23 brings nobody new in.
    assert newly_due(tenant_a.organisation, 23, timezone.localdate()) == []
    assert admin.post(_url(), {"months": "23"}).status_code == 302
    assert RetentionSetting.objects.get().months == 23
    # 11 months brings Cal in: asked about Cal alone.
    text = visible_text(admin.post(_url(), {"months": "11"}).content)
    assert "will erase 1 person" in text and "Cal Reyes" in text
    assert "Ada Lovell" not in text
    assert RetentionSetting.objects.get().months == 23
    assert ServiceUser.objects.filter(pk=people["cal"].pk).exists()
