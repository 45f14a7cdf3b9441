from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "yiwang.services"
    label = "services"
    verbose_name = _("Online government services")
