"""A member who confirms an address that already subscribes is linked to that subscriber."""

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from . import services


@receiver(email_confirmed, dispatch_uid="newsletters.link_member")
def link_confirmed_member(sender: Any, email_address: Any, **kwargs: Any) -> None:
    services.link_member(user=email_address.user, email=email_address.email)
