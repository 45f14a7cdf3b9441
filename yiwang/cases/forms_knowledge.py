"""Forms of the knowledge base's pages: they parse input; `cases.knowledge` decides.

The article form's field names are those of `ArticleInput`, so that a service's error lands on its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.cases.knowledge import QUERY_LIMIT, STATE_LABELS, ArticleInput
from yiwang.core.forms import AccessibleFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class KnowledgeSearchForm(AccessibleFormMixin, forms.Form):
    """Words to look for (社保, 停水, 噪音…) and optionally a category; editors may also pick a state."""

    q = forms.CharField(
        label=_("Words to look for"),
        required=False,
        max_length=QUERY_LIMIT,
        help_text=_("Two characters are enough, e.g. 社保, 停水 or 噪音; separate several words with spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
    )
    category = forms.ChoiceField(label=_("Category of matters"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, help_text=_("For the list without words: a search offers articles in force.")
    )

    def __init__(self, data: Any = None, *, categories: list[tuple[str, str]], with_state: bool = False) -> None:
        super().__init__(data)
        self.fields["category"].choices = [("", _("All categories")), *categories]  # type: ignore[attr-defined]
        if with_state:
            self.fields["state"].choices = [  # type: ignore[attr-defined]
                ("", _("Every state")),
                *((str(state), label) for state, label in STATE_LABELS.items()),
            ]
        else:
            del self.fields["state"]


class ArticleForm(AccessibleFormMixin, forms.Form):
    """An article: title, how people ask, the answer, category, source department, basis, keywords and dates."""

    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Give the title.")})
    question = forms.CharField(
        label=_("How people ask it"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The question in the caller's words: it is searched too."),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Give the answer.")},
        help_text=_("What the operator reads out and the citizen reads on the portal."),
    )
    category_code = forms.ChoiceField(label=_("Category of matters"), required=False)
    department_id = forms.TypedChoiceField(
        label=_("Source department"), coerce=int, error_messages={"required": _("Choose the source department.")}
    )
    basis = forms.CharField(label=_("Policy basis"), required=False, max_length=300)
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=300,
        help_text=_("Other words people use for it, separated by spaces (e.g. 社保 缴费基数). Not shown to citizens."),
    )
    effective_from = forms.DateField(
        label=_("Effective from"), widget=DATE_INPUT, error_messages={"required": _("Give the date it takes effect.")}
    )
    expires_on = forms.DateField(
        label=_("Last day in force"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty when it holds until withdrawn. From the next day it is no longer offered."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        categories: list[tuple[str, str]],
        departments: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["category_code"].choices = [("", _("No category")), *categories]  # type: ignore[attr-defined]
        self.fields["department_id"].choices = [("", _("Choose…")), *departments]  # type: ignore[attr-defined]

    def article_input(self) -> ArticleInput:
        data = self.cleaned_data
        return ArticleInput(
            title=data["title"],
            answer=data["answer"],
            department_id=data["department_id"],
            question=data.get("question") or "",
            category_code=data.get("category_code") or "",
            basis=data.get("basis") or "",
            keywords=data.get("keywords") or "",
            effective_from=data["effective_from"],
            expires_on=data.get("expires_on"),
        )
