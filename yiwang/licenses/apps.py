from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _

APPROVED = frozenset({11, 12})  # services' ApplicationStatus.APPROVED and APPROVED_WITH_TOLERANCE


def _concluded(*, application_id: int, status: int, **_ignored: Any) -> None:
    if status in APPROVED:
        from yiwang.licenses.tasks import issue_license

        transaction.on_commit(lambda: issue_license.enqueue(application_id))


def _revoked(**kwargs: Any) -> None:
    from yiwang.licenses.services import on_application_revoked

    on_application_revoked(**kwargs)


class LicensesConfig(AppConfig):
    name = "yiwang.licenses"
    label = "licenses"
    verbose_name = _("E-licenses and e-seals")

    def ready(self) -> None:
        from yiwang.services.signals import application_concluded, application_revoked

        application_concluded.connect(_concluded, dispatch_uid="licenses.issue")
        application_revoked.connect(_revoked, dispatch_uid="licenses.revoke")

    @property
    def console_menu(self) -> list[object]:
        from yiwang.core.menu import MenuEntry

        return [
            MenuEntry(
                _("Licenses and seals"),
                "licenses:console",
                frozenset({"item_admin", "approver", "platform_admin"}),
                order=62,
            ),
        ]
