"""Newsletters and their subscribers. A subscriber is an address, never a member account."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable


class Newsletter(models.Model):
    """A list readers subscribe to: 朝刊ニュースレター, or one drawn from a section."""

    name = models.CharField(_("名前"), max_length=100)
    slug = models.SlugField(_("スラッグ"), unique=True)
    description = models.TextField(_("説明"), blank=True)
    sections = models.ManyToManyField(
        "newsroom.SectionPage",
        verbose_name=_("記事を選ぶセクション"),
        related_name="newsletters",
        blank=True,
    )
    schedule = models.CharField(_("配信予定"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("ニュースレター")
        verbose_name_plural = _("ニュースレター")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    CONFIRMED = "confirmed", _("登録済み")
    UNSUBSCRIBED = "unsubscribed", _("配信停止")


class Subscriber(models.Model):
    """An address that asked for newsletters, with the consent it gave and where it came from."""

    # Stored lower-case (services normalise), so one address is one subscriber.
    email = models.EmailField(_("メールアドレス"), unique=True)
    status = models.CharField(
        _("状態"),
        max_length=16,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )
    lists = models.ManyToManyField(
        Newsletter, verbose_name=_("購読リスト"), related_name="subscribers", blank=True
    )
    source_article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("登録した記事"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_text = models.TextField(_("同意した文言"))
    consented_at = models.DateTimeField(_("同意日時"))
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会員"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscribers",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("ニュースレター登録者")
        verbose_name_plural = _("ニュースレター登録者")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SCHEDULED = "scheduled", _("配信予約")
    SENDING = "sending", _("送信中")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("送信に失敗")


class NewsletterIssue(ClusterableModel):
    """One edition of a newsletter. Its text is fixed when sending starts."""

    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("ニュースレター"),
        on_delete=models.PROTECT,
        related_name="issues",
    )
    subject = models.CharField(_("件名"), max_length=150)
    intro = models.TextField(_("前書き"), blank=True)
    status = models.CharField(
        _("状態"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    send_at = models.DateTimeField(
        _("配信日時"), null=True, blank=True, help_text=_("空欄なら「送信する」で今すぐ送ります。")
    )
    started_at = models.DateTimeField(_("送信開始"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("送信完了"), null=True, blank=True, editable=False)
    # The snapshot every recipient receives; the unsubscribe link is filled in per recipient.
    html_body = models.TextField(_("HTML本文"), blank=True, editable=False)
    text_body = models.TextField(_("テキスト本文"), blank=True, editable=False)
    total = models.PositiveIntegerField(_("宛先数"), default=0, editable=False)
    retries = models.PositiveSmallIntegerField(_("再試行回数"), default=0, editable=False)
    last_error = models.TextField(_("最後のエラー"), blank=True, editable=False)
    # After an SMTP failure no batch starts before this time (backoff).
    paused_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The time of the one follow-up check queued to take over claims of a worker that died.
    check_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("ニュースレター配信")
        verbose_name_plural = _("ニュースレター配信")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return self.subject


class IssueArticle(Orderable):
    """An article carried by an issue: headline, lead and link, never more."""

    issue = ParentalKey(NewsletterIssue, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "newsroom.ArticlePage", verbose_name=_("記事"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("掲載記事")
        verbose_name_plural = _("掲載記事")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("未送信")
    SENDING = "sending", _("送信処理中")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("失敗")
    SKIPPED = "skipped", _("送信せず(配信停止)")


class Delivery(models.Model):
    """One recipient of one issue, recorded before the mail leaves.

    A worker claims a batch (status sending, a claim token and a lease); a claim whose lease
    ran out belongs to a worker that died and may be taken again.
    """

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    claim = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("配信記録")
        verbose_name_plural = _("配信記録")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_delivery_per_issue")
        ]
        indexes = [
            models.Index(fields=["issue", "status"]),
            models.Index(fields=["claim"]),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}:{self.subscriber_id}"


class FunnelDay(models.Model):
    """How often the unlock form was shown and submitted, per article and day (JST)."""

    day = models.DateField()
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+")
    shown = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("登録フォームの集計")
        verbose_name_plural = _("登録フォームの集計")
        constraints = [
            models.UniqueConstraint(fields=["day", "article"], name="one_funnel_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.article_id}"
