"""Payment gateways behind one interface; settings.BILLING_GATEWAY picks the one for checkout."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..models import Gateway
from .base import PaymentGateway
from .sandbox import SandboxGateway
from .stripe import StripeGateway


def get_gateway(name: str | None = None) -> PaymentGateway:
    """The configured gateway, or the one named (a subscription's own, to cancel it there)."""
    name = name or settings.BILLING_GATEWAY
    if name == Gateway.SANDBOX:
        return SandboxGateway()
    if name == Gateway.STRIPE:
        return StripeGateway(api_key=settings.STRIPE_SECRET_KEY)
    raise ImproperlyConfigured(f"BILLING_GATEWAY must be 'sandbox' or 'stripe', not {name!r}")
