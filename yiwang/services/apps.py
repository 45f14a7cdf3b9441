from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "yiwang.services"
    label = "services"
    verbose_name = _("Online government services")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry

        item_admins = frozenset({"item_admin", "platform_admin"})
        handlers = frozenset({"clerk", "reviewer", "approver"})
        board = frozenset({"supervisor", "leader", "platform_admin"})  # supervision.BOARD_ROLES
        return [
            MenuEntry(_("Applications"), "services:console_applications", handlers, order=55),
            MenuEntry(_("Supervision board"), "services:console_supervision", board, order=57),
            MenuEntry(_("Service items"), "services:console_items", item_admins, order=60),
        ]
