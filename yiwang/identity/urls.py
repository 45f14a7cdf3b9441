from django.urls import path

from yiwang.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_totp_view, name="login_totp"),
    path("login/authenticator/", views.totp_enrol_view, name="totp_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("account/", views.profile_view, name="profile"),
    path("account/contact/", views.contact_view, name="contact"),
    path("account/verify/", views.verify_real_name_view, name="verify_real_name"),
    path("account/password/", views.password_view, name="password"),
    path("account/enterprises/", views.enterprises_view, name="enterprises"),
    path("account/enterprises/act/", views.act_for_view, name="act_for"),
    path("account/enterprises/<int:enterprise_id>/agents/", views.agent_authorise_view, name="agent_authorise"),
    path("account/agents/<int:authorisation_id>/revoke/", views.agent_revoke_view, name="agent_revoke"),
    path("console/staff/", views.staff_list_view, name="staff"),
    path("console/staff/new/", views.staff_create_view, name="staff_create"),
    path("console/staff/<int:user_id>/", views.staff_detail_view, name="staff_detail"),
    path("console/clients/", views.clients_view, name="clients"),
    path("console/clients/<int:client_pk>/", views.client_action_view, name="client_action"),
]
