from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "yiwang.datahub"
    label = "datahub"
    verbose_name = _("Data hub")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry

        data_admins = frozenset({"data_admin", "platform_admin"})
        return [
            MenuEntry(_("Data catalog"), "datahub:catalog", order=40),
            MenuEntry(_("Send data"), "datahub:upload", data_admins, order=41),
            MenuEntry(_("Batches"), "datahub:batches", order=42),
            MenuEntry(_("Data quality"), "datahub:quality", order=43),
            MenuEntry(_("Conflicts to decide"), "datahub:conflicts", data_admins, order=44),
            MenuEntry(
                _("Corrections for our department"),
                "datahub:conflict_feedback",
                data_admins,
                order=45,
            ),
            MenuEntry(_("Entity resolution"), "datahub:linking", data_admins, order=46),
        ]
