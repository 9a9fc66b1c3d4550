"""Input validation for the accounts pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kinga.accounts.backends import AccountLocked
from kinga.accounts.models import Organisation, OrganisationKind, User
from kinga.accounts.roles import Role
from kinga.geo.models import County, SubCounty


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid": _("The email or password is not right. Check them and try again."),
        "locked": _(
            "Too many failed attempts. Sign-in is paused for %(minutes)d minutes. Ask your "
            "organisation admin if you need help sooner."
        ),
        "inactive": _("This account has been deactivated. Ask your organisation admin."),
    }

    @classmethod
    def locked_message(cls) -> str:
        from django.conf import settings

        return str(cls.error_messages["locked"]) % {"minutes": settings.KINGA_LOCKOUT_MINUTES}

    def __init__(self, request: HttpRequest, *args: object, **kwargs: object) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, object]:

        data = super().clean()
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        try:
            user = authenticate(self.request, username=email, password=password)
        except AccountLocked:
            raise forms.ValidationError(self.locked_message(), code="locked") from None
        if user is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.user = user
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are different."))
        return data


class PasswordChangeForm(SetPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password", "password_again"]


class CoverageFields(forms.Form):
    counties = forms.ModelMultipleChoiceField(
        label=_("Counties covered"),
        queryset=County.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    sub_counties = forms.ModelMultipleChoiceField(
        label=_("Sub-counties covered"),
        queryset=SubCounty.objects.select_related("county"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class UserInviteForm(CoverageFields):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty only for a system admin."),
    )
    field_order = ["full_name", "email", "role", "organisation", "counties", "sub_counties"]

    def __init__(
        self, *args: object, organisations: object, roles: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].choices = roles
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class UserEditForm(CoverageFields):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    field_order = ["full_name", "role", "counties", "sub_counties"]

    def __init__(self, *args: object, roles: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationKind.choices)
    code = forms.RegexField(
        label=_("Short code"),
        regex=r"^[A-Za-z]{2,8}$",
        max_length=8,
        help_text=_("2–8 letters, used in case numbers (e.g. KWL)."),
        error_messages={"invalid": _("Use 2 to 8 letters, no spaces or digits.")},
    )
    counties = forms.ModelMultipleChoiceField(
        label=_("Counties served"),
        queryset=County.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PreferencesForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("en", "English"), ("sw", "Kiswahili")]
    )
