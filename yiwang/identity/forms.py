"""Forms of the identity pages: shape only; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.core.forms import AccessibleFormMixin
from yiwang.identity.passwords import PASSWORD_POLICY_TEXT
from yiwang.identity.roles import Role


class LoginForm(AccessibleFormMixin, forms.Form):
    login = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(AccessibleFormMixin, forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )


class RegistrationForm(AccessibleFormMixin, forms.Form):
    real_name = forms.CharField(label=_("Name (as on your ID card)"), max_length=50)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=25,
        help_text=_("18 characters; the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    username = forms.CharField(
        label=_("Username (optional)"),
        max_length=150,
        required=False,
        help_text=_("You can always log in with your mobile number."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=PASSWORD_POLICY_TEXT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my name, ID number and mobile number are used to identify me on government services."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class ContactForm(AccessibleFormMixin, forms.Form):
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current number."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class PasswordChangeForm(AccessibleFormMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=PASSWORD_POLICY_TEXT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class EnterpriseForm(AccessibleFormMixin, forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=25)
    name = forms.CharField(label=_("Registered name"), max_length=200)
    legal_representative_name = forms.CharField(label=_("Legal representative"), max_length=50)


class AgentForm(AccessibleFormMixin, forms.Form):
    agent_name = forms.CharField(label=_("Agent's name"), max_length=50)
    agent_id_number = forms.CharField(label=_("Agent's resident ID number"), max_length=25)
    valid_until = forms.DateField(
        label=_("Authorised until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class StaffForm(AccessibleFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    real_name = forms.CharField(label=_("Name"), max_length=50)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    position = forms.CharField(label=_("Position"), max_length=50, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        help_text=PASSWORD_POLICY_TEXT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, departments: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["department"].choices = departments  # type: ignore[attr-defined]


class RolesForm(AccessibleFormMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class ClientForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("System name"), max_length=200)
    department = forms.TypedChoiceField(label=_("Owning department"), coerce=int)
    redirect_uris = forms.CharField(
        label=_("Redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; where the system receives the sign-in result."),
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("Post-logout redirect URIs"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    confidential = forms.BooleanField(
        label=_("Confidential client (a server that can keep a secret)"), required=False, initial=True
    )
    trusted_for_staff = forms.BooleanField(
        label=_("Internal system: staff are not asked for consent (citizens always are)"), required=False
    )

    def __init__(self, *args: object, departments: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["department"].choices = departments  # type: ignore[attr-defined]
