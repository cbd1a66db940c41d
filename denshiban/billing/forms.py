"""The subscribe form (plan, campaign, one-time token) and the sandbox card form."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .gateways.base import CardDetails
from .gateways.sandbox import luhn_valid
from .models import Campaign, Plan, Subscription
from .selectors import available_plans, current_subscription

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
EXPIRY_PATTERN = re.compile(r"^(\d{2})\s*/\s*(\d{2})$")


def new_form_token() -> str:
    """A one-time token per rendered form: the same POST sent twice carries the same one."""
    return secrets.token_hex(16)


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        return f"{obj.name} {obj.price_label()}"


class SubscribeForm(forms.Form):
    plan = PlanChoiceField(
        label=_("プラン"),
        queryset=Plan.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("プランを選んでください。"),
            "invalid_choice": _("このプランは現在お申し込みいただけません。"),
        },
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
    )
    token = forms.CharField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = available_plans()

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not TOKEN_PATTERN.match(token):
            raise forms.ValidationError(
                _("フォームの有効期限が切れました。もう一度お申し込みください。")
            )
        return token


class CardForm(forms.Form):
    """Card details for the sandbox gateway. Validated, used once, never saved."""

    card_number = forms.CharField(
        label=_("カード番号"),
        max_length=23,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "cc-number",
                "placeholder": "4242 4242 4242 4242",
            }
        ),
        error_messages={"required": _("カード番号を入力してください。")},
    )
    card_expiry = forms.CharField(
        label=_("有効期限(MM/YY)"),
        max_length=7,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "cc-exp", "placeholder": "MM/YY"}
        ),
        error_messages={"required": _("有効期限を入力してください。")},
    )
    card_security_code = forms.CharField(
        label=_("セキュリティコード"),
        max_length=4,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "cc-csc", "placeholder": "123"}
        ),
        error_messages={"required": _("セキュリティコードを入力してください。")},
    )

    def clean_card_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not number.isdigit():
            raise forms.ValidationError(_("カード番号は数字で入力してください。"))
        if not 13 <= len(number) <= 19 or not luhn_valid(number):
            raise forms.ValidationError(_("カード番号に誤りがあります。ご確認ください。"))
        return number

    def clean_card_expiry(self) -> tuple[int, int]:
        match = EXPIRY_PATTERN.match(self.cleaned_data["card_expiry"].strip())
        if match is None or not 1 <= int(match[1]) <= 12:
            raise forms.ValidationError(_("有効期限は MM/YY の形式で入力してください(例: 08/29)。"))
        month, year = int(match[1]), 2000 + int(match[2])
        today = timezone.localdate()
        if date(year, month, 1) < today.replace(day=1):
            raise forms.ValidationError(_("有効期限が切れています。別のカードをお試しください。"))
        return month, year

    def clean_card_security_code(self) -> str:
        code = self.cleaned_data["card_security_code"].strip()
        if not code.isdigit() or len(code) not in (3, 4):
            raise forms.ValidationError(
                _("セキュリティコードは3桁または4桁の数字で入力してください。")
            )
        return code

    def card(self) -> CardDetails:
        month, year = self.cleaned_data["card_expiry"]
        return CardDetails(
            number=self.cleaned_data["card_number"],
            exp_month=month,
            exp_year=year,
            security_code=self.cleaned_data["card_security_code"],
        )


class SubscriptionActionForm(forms.Form):
    """Cancel or resume: the reader's current subscription, or the one named if it is theirs."""

    subscription = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def subscription_of(self, user: Any) -> Subscription | None:
        named = self.cleaned_data["subscription"]
        if named is None:
            return current_subscription(user)
        return Subscription.objects.filter(pk=named, user=user).first()
