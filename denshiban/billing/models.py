"""Plans, campaigns (初割), subscriptions and what was charged."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BillingInterval(models.TextChoices):
    MONTH = "month", _("月払い")
    YEAR = "year", _("年払い")


class Plan(models.Model):
    code = models.SlugField(_("コード"), max_length=30, unique=True)
    name = models.CharField(_("プラン名"), max_length=60)
    interval = models.CharField(_("支払い間隔"), max_length=10, choices=BillingInterval.choices)
    price_yen = models.PositiveIntegerField(_("料金(円・税込)"))
    description = models.CharField(_("説明"), max_length=200, blank=True)
    stripe_price_id = models.CharField(_("Stripe Price ID"), max_length=100, blank=True)
    is_active = models.BooleanField(_("申し込み受付中"), default=True)
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("プラン")
        verbose_name_plural = _("プラン")
        ordering = ["position", "price_yen"]

    def __str__(self) -> str:
        return self.name

    def price_label(self) -> str:
        """The price as the paper states it: 月額4,300円(税込)."""
        template = (
            _("年額%(price)s円(税込)")
            if self.interval == BillingInterval.YEAR
            else _("月額%(price)s円(税込)")
        )
        return template % {"price": f"{self.price_yen:,}"}


class CampaignEligibility(models.TextChoices):
    NEVER_SUBSCRIBED = "never_subscribed", _("有料会員になったことがない方")
    NOT_PAID_IN_12_MONTHS = "not_paid_12_months", _("過去12カ月に有料会員でなかった方")


class Campaign(models.Model):
    """An offer on the paywall, such as 初割: a free trial for eligible readers."""

    name = models.CharField(_("キャンペーン名"), max_length=40)
    slug = models.SlugField(_("スラッグ"), max_length=40, unique=True)
    headline = models.CharField(
        _("見出し"), max_length=80, help_text=_("例: 初割ですべての記事が読み放題")
    )
    offer = models.CharField(_("特典"), max_length=80, help_text=_("例: 有料会員が2カ月無料"))
    button_label = models.CharField(_("ボタンの文言"), max_length=40, default="初割で無料体験する")
    trial_months = models.PositiveSmallIntegerField(_("無料期間(月)"))
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))
    eligibility = models.CharField(_("対象"), max_length=30, choices=CampaignEligibility.choices)
    plans = models.ManyToManyField(Plan, verbose_name=_("対象プラン"), related_name="campaigns")

    class Meta:
        verbose_name = _("キャンペーン")
        verbose_name_plural = _("キャンペーン")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", _("無料体験中")
    ACTIVE = "active", _("有料会員")
    PAST_DUE = "past_due", _("支払い遅延")
    CANCELED = "canceled", _("解約予定")  # canceled at period end: still entitled until then
    EXPIRED = "expired", _("終了")


# A reader has at most one subscription in these states at a time.
CURRENT_STATUSES = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.CANCELED,
)


class Gateway(models.TextChoices):
    SANDBOX = "sandbox", _("サンドボックス")
    STRIPE = "stripe", _("Stripe")


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会員"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    plan = models.ForeignKey(Plan, verbose_name=_("プラン"), on_delete=models.PROTECT)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("キャンペーン"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("状態"), max_length=12, choices=SubscriptionStatus.choices)
    gateway = models.CharField(_("決済"), max_length=10, choices=Gateway.choices)
    gateway_customer_id = models.CharField(max_length=100, blank=True)
    gateway_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    started_at = models.DateTimeField(_("開始日時"))
    trial_ends_at = models.DateTimeField(_("無料期間の終了日時"), null=True, blank=True)
    current_period_start = models.DateTimeField(_("今期の開始"))
    current_period_end = models.DateTimeField(_("今期の終了"))
    canceled_at = models.DateTimeField(_("解約手続き日時"), null=True, blank=True)
    ended_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    # The one-time token of the form that asked for this subscription: a resubmitted form
    # finds it again instead of starting a second one.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("購読")
        verbose_name_plural = _("購読")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=CURRENT_STATUSES),
                name="one_current_subscription_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="subscription_form_submitted_once",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} / {self.plan} ({self.get_status_display()})"


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("支払い済み")
    FAILED = "failed", _("失敗")
    REFUNDED = "refunded", _("返金")


class Payment(models.Model):
    """One line of the billing history (請求履歴)."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("購読"), on_delete=models.CASCADE, related_name="payments"
    )
    amount_yen = models.PositiveIntegerField(_("金額(円・税込)"))
    status = models.CharField(_("状態"), max_length=10, choices=PaymentStatus.choices)
    description = models.CharField(_("内容"), max_length=120)
    period_start = models.DateTimeField(_("対象期間の開始"))
    period_end = models.DateTimeField(_("対象期間の終了"))
    gateway_reference = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("支払い")
        verbose_name_plural = _("支払い")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount_yen}円"


class WebhookEvent(models.Model):
    """A payment gateway's event, stored once: a redelivered event id is not processed again."""

    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("決済イベント")
        verbose_name_plural = _("決済イベント")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="webhook_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_type}:{self.event_id}"
