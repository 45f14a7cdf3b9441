from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "yiwang.datahub"
    label = "datahub"
    verbose_name = _("Data hub")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry

        return [
            MenuEntry(_("Data catalog"), "datahub:catalog", order=40),
            MenuEntry(_("Send data"), "datahub:upload", frozenset({"data_admin", "platform_admin"}), order=41),
            MenuEntry(_("Batches"), "datahub:batches", order=42),
        ]
