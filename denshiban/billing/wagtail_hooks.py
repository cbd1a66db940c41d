"""Plans, campaigns, subscriptions, payments and gateway events in Wagtail's admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from denshiban.core.permissions import ReadOnlyPermissionPolicy

from .models import Campaign, Payment, Plan, Subscription, WebhookEvent

# Subscriptions, payments and gateway events change only through the billing services and
# the gateway's webhooks, which keep the subscription states consistent.
for _record in (Subscription, Payment, WebhookEvent):
    register_permission_policy(_record, ReadOnlyPermissionPolicy(_record))


class PlanViewSet(SnippetViewSet):
    model = Plan
    icon = "tasks"
    list_display = ["name", "code", "interval", "price_yen", "is_active"]
    list_filter = ["interval", "is_active"]


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "pick"
    list_display = ["name", "headline", "offer", "starts_at", "ends_at", "eligibility"]
    list_filter = ["eligibility"]
    search_fields = ["name", "headline"]


class SubscriptionViewSet(SnippetViewSet):
    model = Subscription
    icon = "user"
    list_display = ["user", "plan", "status", "gateway", "current_period_end"]
    list_filter = ["status", "gateway", "plan"]
    search_fields = ["user__email", "gateway_subscription_id", "gateway_customer_id"]
    inspect_view_enabled = True


class PaymentViewSet(SnippetViewSet):
    model = Payment
    icon = "doc-full"
    list_display = ["subscription", "description", "amount_yen", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["subscription__user__email", "gateway_reference"]
    inspect_view_enabled = True


class WebhookEventViewSet(SnippetViewSet):
    model = WebhookEvent
    icon = "warning"
    list_display = ["event_type", "event_id", "received_at", "processed_at"]
    list_filter = ["gateway", "event_type"]
    search_fields = ["event_id", "event_type"]
    inspect_view_enabled = True


class BillingGroup(SnippetViewSetGroup):
    menu_label = _("購読・請求")
    menu_icon = "tasks"
    menu_order = 300
    items = (PlanViewSet, CampaignViewSet, SubscriptionViewSet, PaymentViewSet, WebhookEventViewSet)


register_snippet(BillingGroup)
