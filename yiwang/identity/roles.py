"""Account kinds, staff roles and assurance levels: the identity vocabulary other apps may import."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    STAFF = "staff", _("Staff")


class Role(models.TextChoices):
    CLERK = "clerk", _("Window clerk")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
    OPERATOR = "operator", _("Hotline operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Case handler")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DATA_ADMIN = "data_admin", _("Data administrator")
    ITEM_ADMIN = "item_admin", _("Service item administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    LEADER = "leader", _("Leader")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


class AssuranceLevel(models.IntegerChoices):
    """可信等级 after the provincial identity platforms (see reference/services.md §14)."""

    NONE = 1, _("Level 1: not verified")
    SELF_DECLARED = 2, _("Level 2: self-declared real name")
    REGISTRY_MATCHED = 3, _("Level 3: matched against the population registry")
    IN_PERSON = 4, _("Level 4: real person verified")
    CERTIFICATE = 5, _("Level 5: digital certificate or window check")
