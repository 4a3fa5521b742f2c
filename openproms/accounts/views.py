"""Pages for signing in and out, two-factor, invitations, services and members.

Views are thin: a form checks the input, one service or selector does the work.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts import selectors, services
from openproms.accounts.forms import (
    AcceptInvitationForm,
    InvitationForm,
    ResetRequestForm,
    RoleForm,
    ServiceForm,
    SetupTokenForm,
    SignInForm,
    SupportTextForm,
    TokenForm,
)
from openproms.accounts.policy import Action
from openproms.accounts.terms import role_label
from openproms.core.access import (
    org_view,
    password_view,
    public_view,
    signed_in_view,
)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Signing in and out


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Shown by django-axes when a username has too many failed attempts from here."""
    return render(request, "accounts/locked_out.html", status=429)


@public_view
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].lower()
        user = authenticate(
            request=request, username=username, password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        if user is None or not user.is_active:
            services.login_failed(request=request, username=username)
            error = (
                "The email address or password is not right. Check them and try again."
            )
        else:
            services.login_succeeded(request=request, user=user)  # type: ignore[arg-type]
            return redirect(_safe_next(request, reverse("core:home")))
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "error": error, "next": request.GET.get("next", "")},
        status=400 if error or form.errors else 200,
    )


@password_view
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.logout_recorded(request=request, user=request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:login")


# Two-factor authentication


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@password_view
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if selectors.user_has_totp(user) and user.is_verified():  # type: ignore[arg-type, union-attr]
        messages.info(request, "Two-factor authentication is already set up.")
        return redirect("accounts:account")
    if selectors.user_has_totp(user) and not user.is_verified():  # type: ignore[arg-type, union-attr]
        # Replacing an existing authenticator needs the current one first.
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
    device = services.totp_device_unconfirmed(user=user)  # type: ignore[arg-type]
    form = SetupTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(
                request=request,
                user=user,
                device=device,
                token=form.cleaned_data["token"],  # type: ignore[arg-type]
            )
        except services.TwoFactorThrottled as wait:
            form.add_error("token", str(wait))
            codes = None
        if codes is not None:
            request.session["openproms_new_recovery_codes"] = codes
            request.session["openproms_after_setup"] = _safe_next(
                request, reverse("core:home")
            )
            return redirect("accounts:recovery_codes")
        elif not form.errors:
            form.add_error(
                "token",
                "That code is not right. Check the time on your phone and try again.",
            )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": selectors.user_requires_two_factor(user),  # type: ignore[arg-type]
            "next": request.GET.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


@password_view
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request, reverse("core:home")))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.two_factor_verify(
                request=request,
                user=request.user,
                token=form.cleaned_data["token"],  # type: ignore[arg-type]
            )
        except services.TwoFactorThrottled as wait:
            form.add_error("token", str(wait))
        else:
            if verified:
                return redirect(_safe_next(request, reverse("core:home")))
            form.add_error(
                "token",
                "That code is not right, or it has been used already. "
                "Wait for a new code and try again.",
            )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@signed_in_view
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        codes = services.recovery_codes_generate(user=request.user, request=request)  # type: ignore[arg-type]
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": reverse("accounts:account")},
        )
    codes = request.session.pop("openproms_new_recovery_codes", None)
    if not codes:
        return redirect("accounts:account")
    after = request.session.pop("openproms_after_setup", reverse("core:home"))
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": after}
    )


@signed_in_view
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_totp": selectors.user_has_totp(user),  # type: ignore[arg-type]
            "requires_two_factor": selectors.user_requires_two_factor(user),  # type: ignore[arg-type]
            "memberships": selectors.memberships_for_user(user),  # type: ignore[arg-type]
            "commissioner_memberships": selectors.commissioner_memberships_for_user(
                user
            ),  # type: ignore[arg-type]
        },
    )


# Password reset and change (Django's views, with our templates and access declarations)

password_reset = public_view(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=ResetRequestForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = public_view(
    auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"
    )
)
password_reset_confirm = public_view(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public_view(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
password_change = signed_in_view(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html",
        success_url=reverse_lazy("accounts:account"),
    )
)


# Invitations


@public_view
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.email.lower() != invitation.email:  # type: ignore[union-attr]
        return render(
            request,
            "accounts/invitation_wrong_user.html",
            {"invitation": invitation},
            status=403,
        )
    from openproms.accounts.models import User

    existing = User.objects.filter(email__iexact=invitation.email).first()
    if user is None and existing is not None:
        # They already have an account: sign in first, then come back here.
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    form = (
        AcceptInvitationForm(request.POST or None, email=invitation.email)
        if user is None
        else None
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                user=user,  # type: ignore[arg-type]
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
                request=request,
            )
        except ValidationError as error:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"error": error.messages[0]},
                status=409,
            )
        if user is None:
            services.login_succeeded(request=request, user=membership.user)
        messages.success(
            request, f"You are now a member of {membership.organisation.name}."
        )
        return redirect("core:org_home", org_slug=membership.organisation.slug)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


# Services


@org_view(Action.SERVICE_VIEW)
def service_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/service_list.html",
        {"services": selectors.services_for_organisation(organisation)},
    )


@org_view(Action.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ServiceForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        service = services.service_create(
            organisation=organisation,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Service “{service.name}” added.")
        return redirect("accounts:service_list", org_slug=organisation.slug)
    return render(
        request,
        "accounts/service_form.html",
        {"form": form, "service": None},
        status=400 if form.errors else 200,
    )


@org_view(Action.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    service = selectors.service_get(organisation=organisation, pk=service_pk)
    form = ServiceForm(
        request.POST or None, instance=service, organisation=organisation
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or service.version
        fresh = selectors.service_get(organisation=organisation, pk=service_pk)
        try:
            services.service_update(
                service=fresh,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
                expected_version=expected,
                actor=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except services.ConcurrentEditError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, f"Service “{form.cleaned_data['name']}” saved.")
            return redirect("accounts:service_list", org_slug=organisation.slug)
    return render(
        request,
        "accounts/service_form.html",
        {"form": form, "service": service},
        status=status if not form.errors or status == 409 else 400,
    )


# Organisation settings


@org_view(Action.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def support_text(request: HttpRequest) -> HttpResponse:
    """The support text people read when their answers look worse or they give a
    risk answer (answering at home or on a handed-over screen)."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = SupportTextForm(
        request.POST or None, initial={"support_text": organisation.support_text}
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_support_text_update(
            organisation=organisation,
            text=form.cleaned_data["support_text"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            "Support text saved."
            if organisation.support_text
            else "Support text cleared: people will read the default text.",
        )
        return redirect("accounts:support_text", org_slug=organisation.slug)
    return render(
        request,
        "accounts/support_text.html",
        {
            "form": form,
            "default_text": selectors.DEFAULT_SUPPORT_TEXT,
            "in_use": selectors.support_text_for(organisation),
        },
        status=400 if form.errors else 200,
    )


# Members


@org_view(Action.MEMBER_VIEW)
def member_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/member_list.html",
        {
            "members": selectors.members_for_organisation(organisation),
            "invitations": selectors.invitations_pending(organisation),
        },
    )


@org_view(Action.MEMBER_MANAGE)
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        invitation, _link = services.invitation_create(
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"Invitation sent to {invitation.email}. The link works for 7 days.",
        )
        return redirect("accounts:member_list", org_slug=organisation.slug)
    return render(
        request,
        "accounts/member_invite.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@org_view(Action.MEMBER_MANAGE)
@require_http_methods(["GET", "POST"])
def member_role(request: HttpRequest, member_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = selectors.membership_get(organisation=organisation, pk=member_pk)
    form = RoleForm(
        request.POST or None,
        initial={"role": membership.role},
        organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except ValidationError as error:
            form.add_error("role", error.messages[0])
        else:
            messages.success(
                request,
                f"{membership.user.display_name} is now "
                f"{role_label(membership.role, organisation).lower()}.",
            )
            return redirect("accounts:member_list", org_slug=organisation.slug)
    return render(
        request,
        "accounts/member_role.html",
        {"form": form, "membership": membership},
        status=400 if form.errors else 200,
    )


@org_view(Action.MEMBER_MANAGE)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, member_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = selectors.membership_get(organisation=organisation, pk=member_pk)
    error = ""
    if request.method == "POST":
        try:
            services.membership_remove(
                membership=membership, actor=request.user, request=request
            )  # type: ignore[arg-type]
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(
                request, f"{membership.user.display_name} is no longer a member."
            )
            return redirect("accounts:member_list", org_slug=organisation.slug)
    return render(
        request,
        "accounts/member_remove.html",
        {"membership": membership, "error": error},
        status=400 if error else 200,
    )


@org_view(Action.MEMBER_MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    invitation = selectors.invitation_get(organisation=organisation, pk=invitation_pk)
    if invitation.is_pending:
        services.invitation_revoke(
            invitation=invitation, actor=request.user, request=request
        )  # type: ignore[arg-type]
        messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    return redirect("accounts:member_list", org_slug=organisation.slug)
