"""Sign-in, password reset, settings hub, team and account pages; included by nps/urls.py in namespace "nps"."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import forms, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=forms.LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
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
    path("join/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="change_password"),
]
