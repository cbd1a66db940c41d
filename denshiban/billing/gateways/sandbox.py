"""The sandbox gateway: no network, test card numbers only, one number always declined.

Accepted test numbers (any future expiry, any 3-digit code; 4 digits for American Express):
    4242 4242 4242 4242   Visa
    5555 5555 5555 4444   Mastercard
    3530 1113 3330 0000   JCB
    3782 822463 10005     American Express
Declined: 4000 0000 0000 0002 (「カードが承認されませんでした。…」).
Any other number is refused, so a real card typed into a demo goes nowhere.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .. import services
from ..exceptions import BillingError, CardDeclined
from ..models import Gateway, Subscription
from .base import CardDetails, CheckoutRequest, CheckoutResult, PaymentGateway

ACCEPTED_TEST_CARDS = frozenset(
    {"4242424242424242", "5555555555554444", "3530111333300000", "378282246310005"}
)
DECLINED_TEST_CARD = "4000000000000002"


def luhn_valid(number: str) -> bool:
    """The check digit every card number carries (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


class NotATestCard(BillingError):
    default_message = _(
        "テスト環境のため、テスト用のカード番号(4242 4242 4242 4242 など)のみご利用いただけます。"
    )


def authorize(card: CardDetails) -> None:
    """Decide as a card network would: the declined test number fails, unknown ones too."""
    if card.number == DECLINED_TEST_CARD:
        raise CardDeclined()
    if card.number not in ACCEPTED_TEST_CARDS:
        raise NotATestCard()


class SandboxGateway(PaymentGateway):
    name = Gateway.SANDBOX
    collects_card = True

    def start_checkout(self, request: CheckoutRequest) -> CheckoutResult:
        if request.card is None:
            raise CardDeclined()
        authorize(request.card)
        subscription = services.start_subscription(
            user=request.user,
            plan=request.plan,
            campaign=request.campaign,
            gateway=self.name,
            idempotency_key=request.idempotency_key,
            payment_reference=f"sandbox-{request.idempotency_key}",
        )
        return CheckoutResult(subscription=subscription)

    def cancel_at_period_end(self, subscription: Subscription) -> None:
        """Nothing to tell: the sandbox renews only what billing_tick finds still current."""

    def resume(self, subscription: Subscription) -> None:
        """Nothing to tell, as for cancelling."""
