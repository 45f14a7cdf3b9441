from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    label = "core"
    verbose_name = "Core"
