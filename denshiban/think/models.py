"""Think!: experts from outside the paper and the short signed comments they add to articles."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# An expert may correct a comment for this long after posting it; later it stands as read.
EDIT_WINDOW = timedelta(minutes=30)
TEXT_MIN_LENGTH = 50
TEXT_MAX_LENGTH = 800
URL_MAX_LENGTH = 500

_FIELD_SEPARATORS = re.compile(r"[、,，]")


class Expert(models.Model):
    """An economist, diplomat, engineer … whose profile is public and who signs comments."""

    name = models.CharField(_("氏名"), max_length=60)
    slug = models.SlugField(
        _("スラッグ"), unique=True, help_text=_("プロフィールページのURLに使います。")
    )
    title = models.CharField(_("肩書き"), max_length=80, help_text=_("例: 経済学者"))
    affiliation = models.CharField(
        _("所属"), max_length=100, blank=True, help_text=_("例: 東都大学 経済学部 教授")
    )
    biography = models.TextField(_("略歴"), max_length=1000, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("写真"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expertise = models.CharField(
        _("専門分野"),
        max_length=200,
        blank=True,
        help_text=_("読点(、)で区切って入力します。例: 金融政策、物価、為替"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("エキスパート")
        verbose_name_plural = _("エキスパート")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("experts:detail", args=[self.slug])

    @property
    def fields_of_expertise(self) -> list[str]:
        return [part.strip() for part in _FIELD_SEPARATORS.split(self.expertise) if part.strip()]

    @property
    def initial(self) -> str:
        """The first letter of the name, drawn in place of a photo the expert has not given."""
        return self.name[:1]


class CommentKind(models.TextChoices):
    BRIEF = "brief", _("ひとこと解説")
    ANALYSIS = "analysis", _("分析・考察")
    VIEWPOINT = "viewpoint", _("別の視点")


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible(self) -> CommentQuerySet:
        """What readers see: hidden comments vanish the moment an editor hides them."""
        return self.filter(hidden_at__isnull=True)


class Comment(models.Model):
    expert = models.ForeignKey(
        Expert, verbose_name=_("エキスパート"), on_delete=models.CASCADE, related_name="comments"
    )
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("記事"),
        on_delete=models.CASCADE,
        related_name="think_comments",
    )
    kind = models.CharField(_("種類"), max_length=16, choices=CommentKind.choices)
    text = models.TextField(_("コメント"))
    url = models.URLField(_("リンク"), max_length=URL_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("投稿日時"), default=timezone.now)
    edited_at = models.DateTimeField(_("編集日時"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("非表示にした日時"), null=True, blank=True)
    moderation_reason = models.TextField(_("非表示・再表示の理由"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("対応した編集者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("対応日時"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Think!コメント")
        verbose_name_plural = _("Think!コメント")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "created_at"], name="think_comment_article"),
            models.Index(fields=["expert", "created_at"], name="think_comment_expert"),
        ]

    def __str__(self) -> str:
        posted = timezone.localtime(self.created_at)
        return f"{self.expert} — {self.get_kind_display()}({posted:%Y-%m-%d %H:%M})"

    @property
    def excerpt(self) -> str:
        """The start of the text, for editors scanning the moderation list."""
        return self.text if len(self.text) <= 40 else f"{self.text[:40]}…"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def editable_until(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    def is_editable(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) < self.editable_until


class HelpfulMark(models.Model):
    """A member found a comment helpful (参考になった). Once per member and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="helpful_marks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="think_helpful_marks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("参考になった")
        verbose_name_plural = _("参考になった")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"], name="think_helpful_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.comment_id}"
