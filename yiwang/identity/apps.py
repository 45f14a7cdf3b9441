from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "yiwang.identity"
    label = "identity"
    verbose_name = _("Identity")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry
        from yiwang.identity.roles import Role

        return [
            MenuEntry(_("Staff"), "identity:staff", order=20),
            MenuEntry(_("Single sign-on clients"), "identity:clients", frozenset({Role.PLATFORM_ADMIN}), order=70),
        ]

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from yiwang.identity.services import login_locked_out

        # django-axes announces a lock-out only through this signal; the service does the rest explicitly.
        user_locked_out.connect(login_locked_out, dispatch_uid="yiwang.identity.login_locked_out")
