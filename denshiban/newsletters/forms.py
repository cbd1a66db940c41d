from django import forms
from django.utils.translation import gettext_lazy as _

# The honeypot's name: people never see the field, form-filling robots fill it in.
HONEYPOT_FIELD = "website"


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません。"),
        },
    )
    website = forms.CharField(required=False)

    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())
