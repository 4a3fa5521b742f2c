from django.urls import path

from openproms.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/", views.account, name="account"),
    path("account/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"
    ),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/password/", views.password_change, name="password_change"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org_slug>/services/", views.service_list, name="service_list"),
    path(
        "o/<slug:org_slug>/services/new/", views.service_create, name="service_create"
    ),
    path(
        "o/<slug:org_slug>/services/<int:service_pk>/edit/",
        views.service_edit,
        name="service_edit",
    ),
    path(
        "o/<slug:org_slug>/settings/support/",
        views.support_text,
        name="support_text",
    ),
    path("o/<slug:org_slug>/members/", views.member_list, name="member_list"),
    path(
        "o/<slug:org_slug>/members/invite/", views.member_invite, name="member_invite"
    ),
    path(
        "o/<slug:org_slug>/members/<int:member_pk>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "o/<slug:org_slug>/members/<int:member_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "o/<slug:org_slug>/invitations/<int:invitation_pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
