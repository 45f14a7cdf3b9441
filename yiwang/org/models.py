"""Divisions (GB/T 2260) and departments: who the city is made of."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City (prefecture level)")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")


# How many leading digits of a code are significant at each level (province 41, city 4198, county 419802,
# township 419802001, village 419802001001), and how long the stored code is.
LEVEL_DIGITS = {
    DivisionLevel.PROVINCE: (2, 6),
    DivisionLevel.CITY: (4, 6),
    DivisionLevel.COUNTY: (6, 6),
    DivisionLevel.TOWNSHIP: (9, 9),
    DivisionLevel.VILLAGE: (12, 12),
}
LEVEL_ORDER = [
    DivisionLevel.PROVINCE,
    DivisionLevel.CITY,
    DivisionLevel.COUNTY,
    DivisionLevel.TOWNSHIP,
    DivisionLevel.VILLAGE,
]


class Division(models.Model):
    """An administrative division: GB/T 2260 code (6 digits) or statistical code (9 or 12 digits)."""

    code = models.CharField(max_length=12, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    level = models.CharField(max_length=10, choices=DivisionLevel.choices, verbose_name=_("level"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DepartmentKind(models.TextChoices):
    GOVERNMENT_DEPARTMENT = "government_department", _("Government department")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    UTILITY = "utility", _("Utility")
    DISTRICT_GOVERNMENT = "district_government", _("District government")
    STREET_OFFICE = "street_office", _("Street office")


class Department(models.Model):
    """A government department or other unit that staff belong to."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    short_name = models.CharField(max_length=30, blank=True, verbose_name=_("short name"))
    credit_code = models.CharField(max_length=18, unique=True, verbose_name=_("unified social credit code"))
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="departments", verbose_name=_("division")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(max_length=30, choices=DepartmentKind.choices, verbose_name=_("kind"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["division__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="department_name_unique_in_division"),
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name
