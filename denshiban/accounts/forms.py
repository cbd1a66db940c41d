"""allauth's forms with the paper's labels (its Japanese catalogue says 「Eメール」)."""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _

LABELS = {
    "email": _("メールアドレス"),
    "login": _("メールアドレス"),
    "password": _("パスワード"),
    "oldpassword": _("現在のパスワード"),
    "password1": _("パスワード"),
    "password2": _("パスワード(確認のためもう一度)"),
    "code": _("コード"),
}
NEW_PASSWORD_LABELS = {"password1": _("新しいパスワード")}


class PaperLabelsMixin:
    """Sets each field's label (and placeholder, where allauth shows one) to the paper's words."""

    labels: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in {**LABELS, **self.labels}.items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.label = label
            if "placeholder" in field.widget.attrs:
                field.widget.attrs["placeholder"] = label


class LoginForm(PaperLabelsMixin, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The page links to the reset form itself, below the button.
        self.fields["password"].help_text = ""


class SignupForm(PaperLabelsMixin, allauth_forms.SignupForm):
    pass


class AddEmailForm(PaperLabelsMixin, allauth_forms.AddEmailForm):
    labels = {"email": _("新しいメールアドレス")}


class ChangePasswordForm(PaperLabelsMixin, allauth_forms.ChangePasswordForm):
    labels = NEW_PASSWORD_LABELS


class SetPasswordForm(PaperLabelsMixin, allauth_forms.SetPasswordForm):
    labels = NEW_PASSWORD_LABELS


class ResetPasswordForm(PaperLabelsMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(PaperLabelsMixin, allauth_forms.ResetPasswordKeyForm):
    labels = NEW_PASSWORD_LABELS


class ReauthenticateForm(PaperLabelsMixin, allauth_forms.ReauthenticateForm):
    pass


class RequestLoginCodeForm(PaperLabelsMixin, allauth_forms.RequestLoginCodeForm):
    pass


class ConfirmLoginCodeForm(PaperLabelsMixin, allauth_forms.ConfirmLoginCodeForm):
    pass
