"""What every payment gateway offers the subscribe flow, whichever one is configured."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from ..models import Campaign, Plan, Subscription


@dataclass(frozen=True)
class CardDetails:
    """A card as typed into the sandbox form; held for one request, never stored."""

    number: str
    exp_month: int
    exp_year: int
    security_code: str


@dataclass(frozen=True)
class CheckoutRequest:
    user: Any
    plan: Plan
    campaign: Campaign | None
    idempotency_key: str
    success_url: str
    cancel_url: str
    card: CardDetails | None = None


@dataclass(frozen=True)
class CheckoutResult:
    """Either the subscription is in place now, or the reader goes to the gateway's page."""

    subscription: Subscription | None = None
    redirect_url: str = ""


class PaymentGateway(ABC):
    name: ClassVar[str]
    # True when our own page asks for the card (sandbox); False when the gateway hosts it.
    collects_card: ClassVar[bool]

    @abstractmethod
    def start_checkout(self, request: CheckoutRequest) -> CheckoutResult:
        """Charge or hand over to the gateway; raises billing.exceptions errors."""

    @abstractmethod
    def cancel_at_period_end(self, subscription: Subscription) -> None:
        """Tell the gateway not to renew; our own state changes in billing.services."""

    @abstractmethod
    def resume(self, subscription: Subscription) -> None:
        """Tell the gateway to renew again after a cancellation."""
