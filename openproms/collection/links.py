"""Self-completion links: a random token URL and a short code for one person's due
measures, answered without signing in.

Only keyed hashes of the token and the code are stored, so a copy of the database
cannot be turned back into working links. A link expires (14 days by default), can
be revoked, and is used up once every measure on it is answered; a partly answered
link stays usable until it expires. Wrong, expired, used, revoked and forged links
all look the same to the person holding them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from openproms.accounts.models import Organisation, User
from openproms.audit.services import client_ip, log_action
from openproms.collection.models import SelfCompletionLink, TimePoint
from openproms.core.row_security import organisation_set
from openproms.people.models import ServiceUser
from openproms.translations.activation import in_person_language

LINK_LIFETIME = dt.timedelta(days=14)
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read aloud and to type from paper.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
ATTEMPT_LIMIT = 10
ATTEMPT_WINDOW_SECONDS = 15 * 60


def _keyed_hash(kind: str, value: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def normalise_code(text: str) -> str:
    """A code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``K7QMT4XP`` shown as ``K7QM-T4XP``."""
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class NewLink:
    """A link just made: the only moment its token and code are known."""

    link: SelfCompletionLink
    token: str
    code: str

    @property
    def grouped_code(self) -> str:
        return format_code(self.code)


def link_create(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    time_points: Iterable[TimePoint],
    actor: User,
    send_to: str = "",
    url_for_token: object = None,
    request: HttpRequest | None = None,
    lifetime: dt.timedelta = LINK_LIFETIME,
) -> NewLink:
    """Make a link for the given time points; email it when ``send_to`` is given.

    ``url_for_token`` is a callable turning a token into the full address (the
    view knows the site's address); it is needed only for the email.

    Only a worker sends links, one person at a time, for time points due now. A
    person who has withdrawn from taking part has none (the scheduler closes them,
    reason "withdrew") and their unused links were stopped when they withdrew, so
    nothing reaches them from here. There is no automatic reminder yet: whatever
    sends one must take its recipients from
    ``openproms.people.consent.people_who_may_be_contacted``.
    """
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        link = SelfCompletionLink.objects.create(
            organisation=organisation,
            service_user=service_user,
            token_hash=_keyed_hash("token", token),
            short_code_hash=_keyed_hash("code", code),
            created_by=actor,
            expires_at=timezone.now() + lifetime,
            sent_to=send_to,
        )
        link.time_points.set(list(time_points))
        log_action(
            action="link.create",
            actor=actor,
            organisation=organisation,
            obj=link,
            request=request,
            detail={
                "measures": sorted(tp.measure_id for tp in link.time_points.all()),
                "emailed": bool(send_to),
            },
        )
    if send_to and callable(url_for_token):
        url = url_for_token(token)
        # In the person's preferred language, like the pages it opens.
        with in_person_language(service_user):
            words = {
                "organisation": organisation.name,
                "url": url,
                # The page that asks for the code: the link without its token.
                "start": url.rstrip("/").rsplit("/", 1)[0] + "/",
                "code": format_code(code),
                "until": date_format(timezone.localtime(link.expires_at), "j F Y"),
            }
            subject = gettext("Questions from %(organisation)s") % words
            message = (
                gettext(
                    "Hello,\n\n%(organisation)s has asked you to answer a few short "
                    "questions. Open this link to start:\n\n%(url)s\n\n"
                    "Or go to %(start)s and type this code: "
                    "%(code)s\n\nThe link works until %(until)s. "
                    "If you were not expecting this email, you can ignore it.\n"
                )
                % words
            )
        send_mail(
            subject=subject,
            message=message,
            from_email=None,
            recipient_list=[send_to],
        )
    return NewLink(link=link, token=token, code=code)


@transaction.atomic
def link_revoke(
    *, link: SelfCompletionLink, actor: User, request: HttpRequest | None = None
) -> SelfCompletionLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        log_action(
            action="link.revoke",
            actor=actor,
            organisation=link.organisation,
            obj=link,
            request=request,
        )
    return link


def remaining_time_points(link: SelfCompletionLink) -> list[TimePoint]:
    """The link's measures not yet answered, in due order."""
    return list(
        link.time_points.filter(status=TimePoint.Status.PENDING).order_by(
            "due_date", "id"
        )
    )


def link_mark_used_if_complete(*, link: SelfCompletionLink) -> bool:
    """Use the link up once all its measures are answered; True when used up."""
    if remaining_time_points(link):
        return False
    SelfCompletionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    link.refresh_from_db()
    return True


def name_link_organisation(link: SelfCompletionLink | None) -> None:
    """A link's pages have no organisation in their address: once the link is
    found, name its organisation for row-level security (decision 0016), so the
    rest of the request sees that organisation's rows only."""
    if link is not None:
        organisation_set(link.organisation_id)


def _usable(link: SelfCompletionLink | None) -> SelfCompletionLink | None:
    if link is None or not link.is_usable:
        return None
    name_link_organisation(link)
    if link_mark_used_if_complete(link=link):
        return None
    return link


def link_for_token(token: str) -> SelfCompletionLink | None:
    """The usable link for a token, or None (for any reason at all)."""
    if not token or len(token) > 100:
        return None
    found = SelfCompletionLink.objects.filter(
        token_hash=_keyed_hash("token", token)
    ).first()
    return _usable(found)


def link_person(
    *, token: str | None = None, pk: int | None = None
) -> ServiceUser | None:
    """The person a link was made for, whether or not it still works (it may
    have run out, been used or withdrawn), so the page saying so is in their
    language; None when no link has that token or key."""
    if token is not None:
        if not token or len(token) > 100:
            return None
        found = SelfCompletionLink.objects.filter(
            token_hash=_keyed_hash("token", token)
        ).first()
    elif pk is not None:
        found = SelfCompletionLink.objects.filter(pk=pk).first()
    else:
        return None
    if found is None:
        return None
    name_link_organisation(found)
    return found.service_user


def link_for_code(code: str) -> SelfCompletionLink | None:
    """The usable link for a short code as typed, or None."""
    normal = normalise_code(code)
    if len(normal) != CODE_LENGTH:
        return None
    found = SelfCompletionLink.objects.filter(
        short_code_hash=_keyed_hash("code", normal)
    ).first()
    return _usable(found)


def link_get_usable(pk: int | None) -> SelfCompletionLink | None:
    if pk is None:
        return None
    return _usable(SelfCompletionLink.objects.filter(pk=pk).first())


# ------------------------------------------------------------------ rate limiting


def _attempt_key(request: HttpRequest) -> str:
    return f"openproms:self-link-attempts:{client_ip(request) or 'unknown'}"


def attempts_exhausted(request: HttpRequest) -> bool:
    """Whether this address has used up its tries for the next 15 minutes."""
    return int(cache.get(_attempt_key(request), 0)) >= ATTEMPT_LIMIT


def attempt_failed(request: HttpRequest) -> None:
    key = _attempt_key(request)
    if cache.add(key, 1, ATTEMPT_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ATTEMPT_WINDOW_SECONDS)
