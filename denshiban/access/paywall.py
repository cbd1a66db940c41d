"""What the paywall box under the lead offers one reader: campaign, log in, newsletter.

A guest's box is the same for every guest (it may sit in the shared cache); a member's
depends on whether they may take the running campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.urls import reverse

from denshiban.billing.selectors import campaign_offer, running_campaign

from .policy import Offer
from .reading import Reading


@dataclass(frozen=True, slots=True)
class CampaignBox:
    headline: str
    offer: str
    button_label: str
    url: str


@dataclass(frozen=True, slots=True)
class Paywall:
    reason: str
    article_id: int
    campaign: CampaignBox | None = None
    # Said plainly when the member may not take the running campaign.
    campaign_refusal: str = ""
    subscribe_url: str = ""
    sign_up_url: str = ""
    login_url: str = ""
    newsletter_unlock: bool = False


def with_next(url_name: str, next_path: str) -> str:
    return f"{reverse(url_name)}?next={quote(next_path)}"


def paywall_for(reading: Reading, user: Any) -> Paywall:
    article = reading.article
    offers = reading.decision.offers
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    fields: dict[str, Any] = {
        "reason": str(reading.decision.reason),
        "article_id": article.pk,
        "newsletter_unlock": Offer.NEWSLETTER_UNLOCK in offers,
    }
    if Offer.LOGIN in offers:
        fields["login_url"] = with_next("account_login", article.public_path)
    if Offer.SIGN_UP in offers:
        fields["sign_up_url"] = with_next("account_signup", article.public_path)
    if Offer.SUBSCRIBE in offers:
        fields.update(_subscribe_fields(article.public_path, user if signed_in else None))
    return Paywall(**fields)


def _subscribe_fields(article_path: str, member: Any) -> dict[str, Any]:
    subscribe = with_next("billing:subscribe", article_path)
    # A guest signs up first, then lands on the subscribe page, then back on the article.
    url = subscribe if member is not None else with_next("account_signup", subscribe)
    campaign = running_campaign()
    if campaign is None:
        return {"subscribe_url": url}
    offer = campaign_offer(member, campaign)
    if not offer.eligible:
        return {"subscribe_url": url, "campaign_refusal": offer.message}
    box = CampaignBox(
        headline=campaign.headline,
        offer=campaign.offer,
        button_label=campaign.button_label,
        url=url,
    )
    return {"campaign": box}
