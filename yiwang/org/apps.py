from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "yiwang.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from yiwang.core import identifiers
        from yiwang.org.selectors import local_area_names

        # ID numbers issued in the platform's own divisions are valid even when the national table
        # bundled with python-stdnum is older than those divisions.
        identifiers.set_local_area_provider(local_area_names)
