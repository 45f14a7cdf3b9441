from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry

        data_admins = frozenset({"data_admin", "platform_admin"})
        return [
            MenuEntry(_("Consumer systems"), "exchange:consumers", data_admins, order=50),
            MenuEntry(_("Access requests"), "exchange:requests", data_admins, order=51),
            MenuEntry(_("Data demands"), "exchange:demands", data_admins, order=52),
            MenuEntry(_("Data use log"), "exchange:log", data_admins, order=53),
            MenuEntry(_("Exchange statistics"), "exchange:statistics", order=54),
        ]
