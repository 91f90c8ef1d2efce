from anymail import urls as anymail_urls
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, include, path, reverse_lazy

from surveys.views import esp_webhook

from . import forms, views, webhook_views
from .api import urlpatterns as api_urlpatterns

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=forms.LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=forms.PasswordResetForm,
            success_url=reverse_lazy("nps:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("nps:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("settings/", views.settings_home, name="settings"),
    path("settings/team/", views.team, name="team"),
    path("settings/team/invite/", views.invite, name="invite"),
    path("settings/team/invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("settings/team/<int:pk>/", views.edit_member, name="edit_member"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/new/", views.create_api_key, name="create_api_key"),
    path("settings/api-keys/<int:pk>/revoke/", views.revoke_api_key, name="revoke_api_key"),
    path("settings/webhooks/", webhook_views.webhook_list, name="webhook_list"),
    path("settings/webhooks/new/", webhook_views.webhook_create, name="webhook_create"),
    path("settings/webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("settings/webhooks/<int:pk>/test/", webhook_views.webhook_test, name="webhook_test"),
    path("settings/webhooks/<int:pk>/rotate/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("join/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="change_password"),
    path("healthz", views.healthz, name="healthz"),
]

# anymail's webhook views, each answering 4xx (never 500) to a payload it cannot read.
esp_webhook_patterns = [
    URLPattern(entry.pattern, esp_webhook(entry.callback), entry.default_args, entry.name)
    for entry in anymail_urls.urlpatterns
]

urlpatterns = [
    # First: the answer pages are the most requested, and patterns are tried in order.
    path("", include("responses.urls")),
    path("", include((account_patterns, "nps"))),
    path("", include("dashboards.urls")),
    path("", include("surveys.urls")),
    # The native REST API; its views authenticate by API key (nps/api.py).
    path("api/v1/", include((api_urlpatterns(), "api"))),
    # The Delighted-compatible API (surveys/delighted.py), also authenticated by API key.
    path("v1/", include("surveys.delighted")),
    # ESP tracking webhooks (bounces, complaints), authenticated by ANYMAIL["WEBHOOK_SECRET"].
    path("anymail/", include((esp_webhook_patterns, "anymail"))),
    # Brand logos are public (emails and answer pages show them); other uploads (CSV imports) never are.
    path("media/brands/<path:path>", views.brand_media, name="brand_media"),
]

handler403 = "nps.views.permission_denied"
handler404 = "nps.views.page_not_found"
