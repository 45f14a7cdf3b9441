from django.urls import path

from yiwang.web import views

app_name = "web"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("console/", views.console_view, name="console"),
    path("console/calendar/", views.calendar_view, name="calendar"),
    path("console/audit/", views.audit_view, name="audit"),
    path("preferences/language/", views.set_language_view, name="set_language"),
    path("preferences/text-size/", views.text_size_view, name="text_size"),
    path("accessibility/", views.accessibility_view, name="accessibility"),
    path("healthz", views.healthz_view, name="healthz"),
]
