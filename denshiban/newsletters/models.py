"""Newsletters and their subscribers. A subscriber is an address, never a member account."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
