"""Billing: which payment gateway, and Stripe's keys when it is Stripe."""

import os

BILLING_GATEWAY = os.environ.get("BILLING_GATEWAY", "sandbox")
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
