"""Why a billing action was refused, in words a reader can be shown as they are."""

from django.utils.translation import gettext_lazy as _


class BillingError(Exception):
    """Base of every billing refusal; str() is the Japanese message for the reader."""

    default_message = _("お手続きを完了できませんでした。時間を空けて再度お試しください。")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class AlreadySubscribed(BillingError):
    default_message = _("すでに有料会員です。")


class PlanUnavailable(BillingError):
    default_message = _("このプランは現在お申し込みいただけません。")


class CampaignNotEligible(BillingError):
    default_message = _("このキャンペーンの対象外です。通常料金でお申し込みいただけます。")


class IllegalTransition(BillingError):
    default_message = _("現在の購読の状態では、この操作はできません。")


class CannotResume(IllegalTransition):
    default_message = _(
        "購読期間が終了しているため、解約を取り消せません。改めてお申し込みください。"
    )


class CardDeclined(BillingError):
    default_message = _("カードが承認されませんでした。別のカードをお試しください。")


class GatewayError(BillingError):
    default_message = _("決済サービスとの通信に失敗しました。時間を空けて再度お試しください。")
