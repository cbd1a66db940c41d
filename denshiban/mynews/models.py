"""What a paid member follows and keeps, and the index that makes Myニュース one query.

A follow names a kind and a target id (a topic, series, company, industry, keyword or
expert). FeedEntry records, for every (kind, target), the articles that belong to it with
their publication time, so Myニュース reads a few index ranges instead of joining every
relation of a million articles.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowKind(models.TextChoices):
    TOPIC = "topic", _("トピック")
    SERIES = "series", _("連載・コラム")
    COMPANY = "company", _("企業")
    INDUSTRY = "industry", _("業界")
    KEYWORD = "keyword", _("キーワード")
    EXPERT = "expert", _("エキスパート")


class Keyword(models.Model):
    """One normalized keyword, shared by every member who registered it."""

    text = models.CharField(_("キーワード"), max_length=30, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("キーワード")
        verbose_name_plural = _("キーワード")

    def __str__(self) -> str:
        return self.text


class Follow(models.Model):
    """A member follows one thing; for a keyword, `label` keeps it as the member typed it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(max_length=16, choices=FollowKind.choices)
    target_id = models.BigIntegerField()
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("フォロー")
        verbose_name_plural = _("フォロー")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "target_id"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["kind", "target_id"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}:{self.target_id}"


class FeedEntry(models.Model):
    """An article belongs to a followable thing (its topic, its keyword match...)."""

    kind = models.CharField(max_length=16, choices=FollowKind.choices)
    target_id = models.BigIntegerField()
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_id", "article"], name="feed_entry_once"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "target_id", "-published_at"], name="feed_by_target"),
            models.Index(fields=["article"], name="feed_by_article"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target_id} → {self.article_id}"


class MyNewsVisit(models.Model):
    """When the member last opened Myニュース, to mark what is new since then."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mynews_visit"
    )
    seen_at = models.DateTimeField()
    previous_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.seen_at}"


class SavedArticle(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_articles"
    )
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存した記事")
        verbose_name_plural = _("保存した記事")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="save_article_once")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="saved_articles_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.article_id}"


class SavedChart(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_charts"
    )
    chart = models.ForeignKey("charts.Chart", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存した図表")
        verbose_name_plural = _("保存した図表")
        constraints = [models.UniqueConstraint(fields=["user", "chart"], name="save_chart_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="saved_charts_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.chart_id}"
