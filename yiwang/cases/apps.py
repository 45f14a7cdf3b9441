from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = _("12345 hotline and grid events")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.cases.analytics.scope import ANALYTICS_ROLES
        from yiwang.cases.catalogue.access import GRID_READ_ROLES, READ_ROLES
        from yiwang.cases.knowledge import EDITOR_ROLES
        from yiwang.core.menu import MenuEntry
        from yiwang.identity.roles import Role

        hotline = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.PLATFORM_ADMIN})
        oversight = frozenset({Role.SUPERVISOR, Role.LEADER})
        case_workers = hotline | oversight | {Role.HANDLER, Role.GRID_WORKER}
        knowledge_readers = hotline | oversight | set(EDITOR_ROLES)
        return [
            MenuEntry(_("Take a call"), "cases:intake", hotline, order=33),
            MenuEntry(_("Cases"), "cases:boxes", case_workers, order=34),
            MenuEntry(_("Report an event"), "cases:grid_report", frozenset({Role.GRID_WORKER}), order=35),
            MenuEntry(_("Overdue by unit"), "cases:overdue", hotline | oversight | {Role.HANDLER}, order=36),
            MenuEntry(_("Knowledge base"), "cases:knowledge_console", knowledge_readers, order=37),
            MenuEntry(_("Case analytics"), "cases:analytics", frozenset(ANALYTICS_ROLES), order=38),
            MenuEntry(_("Dispatch catalogue"), "cases:catalogue", frozenset(READ_ROLES), order=39),
            MenuEntry(_("Time limits"), "cases:time_limits", frozenset(READ_ROLES), order=39),
            MenuEntry(_("Grid cells"), "cases:grid_cells", frozenset(GRID_READ_ROLES), order=39),
        ]
