from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "yiwang.web"
    label = "web"
    verbose_name = _("Web shell")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry

        return [
            MenuEntry(_("Workbench"), "web:console", order=0),
            MenuEntry(_("Working-day calculator"), "web:calendar", order=30),
            MenuEntry(_("Audit log"), "web:audit", frozenset({"platform_admin"}), order=80),
            MenuEntry(_("System administration"), "admin:index", frozenset({"platform_admin"}), order=90),
        ]
