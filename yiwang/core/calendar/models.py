"""Staff-maintained calendar data for years (or corrections) the chinesecalendar package does not cover."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official schedule staff have loaded (the State Council notice), making it non-provisional."""

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    notice = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("notice"),
        help_text=_("The State Council notice, e.g. 国办发明电〔2026〕5号"),
    )
    loaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("loaded at"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Workday (including make-up workdays)")


class CalendarOverride(models.Model):
    """One date whose status differs from the weekend rule or the package: a holiday or a (make-up) workday."""

    date = models.DateField(unique=True, verbose_name=_("date"))
    kind = models.CharField(max_length=10, choices=DayKind.choices, verbose_name=_("kind"))
    name = models.CharField(max_length=50, blank=True, verbose_name=_("name"), help_text=_("e.g. 春节"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"
