"""Who carries a reminder: one interface (:class:`Provider`) and its two makers.

* :class:`SmtpProvider`: email through Django's email backend (the organisation's
  mail server, set by the ``OPENPROMS_EMAIL_*`` settings). A message the server
  accepted is "sent": SMTP says nothing of delivery.
* :class:`NotifyProvider`: GOV.UK Notify, for NHS and local-government
  organisations, through its official client (``notifications-python-client``).
  The organisation's Notify service holds one email template with the
  placeholders ((subject)) and ((body)) and one text message template with
  ((body)), so the words stay the organisation's own templates here. Notify
  reports delivery, read back by :meth:`NotifyProvider.status`.

Any other carrier implements :class:`Provider`. A failure is a
:class:`ProviderError`: ``permanent`` when trying again cannot help (a refused
address, a wrong key), otherwise the send is retried with back-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.core.mail import EmailMessage, get_connection


class ProviderError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Sent:
    reference: str  # the provider's id of the message, "" when it gives none
    delivered: bool = False  # True only when the provider says so


class Provider(Protocol):
    channels: frozenset[str]

    def send_email(
        self, *, to: str, subject: str, body: str, reference: str
    ) -> Sent: ...

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent: ...

    def status(self, reference: str) -> str | None:
        """ "delivered", "failed", "sending", or None when it cannot tell."""
        ...


class SmtpProvider:
    channels = frozenset({"email"})

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[to],
            headers={"X-Openproms-Reference": reference},
            connection=get_connection(fail_silently=False),
        )
        try:
            message.send()
        except OSError as error:  # smtplib errors are OSErrors
            permanent = getattr(error, "smtp_code", 0) // 100 == 5
            raise ProviderError(
                f"The mail server refused the email: {error}"[:300],
                permanent=permanent,
            ) from error
        return Sent(reference="")

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        raise ProviderError(
            "Email only: this provider sends no text messages.", permanent=True
        )

    def status(self, reference: str) -> str | None:
        return None


# Notify's statuses in the words of Reminder.Status.
NOTIFY_STATUS = {
    "delivered": "delivered",
    "permanent-failure": "failed",
    "temporary-failure": "failed",
    "technical-failure": "failed",
    "created": "sending",
    "sending": "sending",
    "pending": "sending",
    "sent": "sending",
}


class NotifyProvider:
    channels = frozenset({"email", "sms"})

    def __init__(
        self,
        *,
        api_key: str,
        email_template_id: str,
        sms_template_id: str,
        base_url: str = "",
    ) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.email_template_id = email_template_id
        self.sms_template_id = sms_template_id
        try:
            self.client = NotificationsAPIClient(
                api_key,
                base_url=base_url or "https://api.notifications.service.gov.uk",
                timeout=10,
            )
        except (AssertionError, IndexError, ValueError) as error:
            raise ProviderError(
                "The GOV.UK Notify API key is not in the form Notify gives.",
                permanent=True,
            ) from error

    def _call(self, send: object, **kwargs: object) -> Sent:
        from notifications_python_client.errors import APIError, HTTPError

        try:
            answer = send(**kwargs)  # type: ignore[operator]
        except HTTPError as error:
            code = error.status_code
            permanent = code in (400, 403)
            raise ProviderError(
                f"GOV.UK Notify answered {code}: {error.message}"[:300],
                permanent=permanent,
            ) from error
        except (APIError, OSError) as error:
            raise ProviderError(
                f"GOV.UK Notify could not be reached: {error}"[:300]
            ) from error
        return Sent(reference=str(answer.get("id", "")))

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        if not self.email_template_id:
            raise ProviderError(
                "No GOV.UK Notify email template is set.", permanent=True
            )
        return self._call(
            self.client.send_email_notification,
            email_address=to,
            template_id=self.email_template_id,
            personalisation={"subject": subject, "body": body},
            reference=reference,
        )

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        if not self.sms_template_id:
            raise ProviderError(
                "No GOV.UK Notify text message template is set.", permanent=True
            )
        return self._call(
            self.client.send_sms_notification,
            phone_number=to,
            template_id=self.sms_template_id,
            personalisation={"body": body},
            reference=reference,
        )

    def status(self, reference: str) -> str | None:
        from notifications_python_client.errors import APIError

        try:
            answer = self.client.get_notification_by_id(reference)
        except (APIError, OSError):
            return None
        return NOTIFY_STATUS.get(str(answer.get("status", "")))
