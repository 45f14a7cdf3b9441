"""Accounts: citizens, staff, enterprises and their agents, staff roles."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedTextField
from yiwang.identity.roles import AssuranceLevel, Role, UserKind


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields: Any) -> User:
        """`yiwang createsuperuser`: a platform administrator (role added by the identity services)."""
        from yiwang.identity.services import staff_grant_role

        fields.setdefault("kind", UserKind.STAFF)
        user = self.create_user(username, password, **fields)
        staff_grant_role(actor=None, user_id=user.pk, role=Role.PLATFORM_ADMIN)
        return user


class User(AbstractBaseUser):
    """One account; what it may do depends on its kind, roles and department."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    kind = models.CharField(_("account type"), max_length=10, choices=UserKind.choices, default=UserKind.CITIZEN)
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_index = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_index = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    assurance_level = models.PositiveSmallIntegerField(
        _("assurance level"), choices=AssuranceLevel.choices, default=AssuranceLevel.NONE
    )
    real_name_verified_at = models.DateTimeField(_("real name verified at"), null=True, blank=True)
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("department"),
    )
    position = models.CharField(_("position"), max_length=50, blank=True)
    large_text = models.BooleanField(_("large text"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="citizen", department__isnull=True) | Q(kind="staff"),
                name="user_citizen_has_no_department",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    # Django's admin asks these of the user; only platform administrators may use it.
    @property
    def is_staff(self) -> bool:
        return self.kind == UserKind.STAFF and self.has_role(Role.PLATFORM_ADMIN)

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and self.is_staff

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.is_staff

    @property
    def role_set(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_citizen(self) -> bool:
        return self.kind == UserKind.CITIZEN

    @property
    def is_staff_member(self) -> bool:
        return self.kind == UserKind.STAFF


class RoleAssignment(models.Model):
    """A role held by a staff member, in their department."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role}"


class Enterprise(models.Model):
    """A legal entity that acts on the platform through its legal representative and authorised agents."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_representative_name = models.CharField(_("legal representative"), max_length=50)
    legal_representative = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="represented_enterprises"
    )
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class AgentAuthorisation(models.Model):
    """经办人授权: the legal representative lets a citizen act for the enterprise until a date."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="authorisations", verbose_name=_("enterprise")
    )
    agent = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="agent_authorisations", verbose_name=_("agent")
    )
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("revoked by")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "agent"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_authorisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.enterprise}"


class OidcClient(models.Model):
    """A departmental system that signs its users in through Yiwang (OpenID Connect relying party)."""

    application = models.OneToOneField("oauth2_provider.Application", on_delete=models.CASCADE, related_name="yiwang")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="oidc_clients")
    trusted_for_staff = models.BooleanField(
        default=False, help_text=_("Staff are not asked for consent; citizens always are.")
    )
    registered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.application.name)
