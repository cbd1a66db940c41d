"""What the reading policy remembers: metered reads and newsletter unlock grants."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeteredRead(models.Model):
    """A paid article a free member read on their monthly allowance (今月あと1本).

    `month` is the first day of the calendar month in Japan time; re-reading an article
    already counted that month is free.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="metered_reads"
    )
    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="metered_reads"
    )
    month = models.DateField(_("対象月"))
    read_at = models.DateTimeField(_("読んだ日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("無料枠で読んだ記事")
        verbose_name_plural = _("無料枠で読んだ記事")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article", "month"], name="one_metered_read_per_month"
            )
        ]
        indexes = [models.Index(fields=["user", "month"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.article_id}:{self.month:%Y-%m}"


class UnlockGrant(models.Model):
    """An article opened to one newsletter reader's confirmed address (no account needed).

    The newsletter issue creates these; the browser that confirmed keeps the grant's id in
    its session, and the grant stays on the server.
    """

    email = models.EmailField(_("メールアドレス"))
    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="unlock_grants"
    )
    created_at = models.DateTimeField(_("付与日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("ニュースレター登録による全文公開")
        verbose_name_plural = _("ニュースレター登録による全文公開")
        constraints = [
            models.UniqueConstraint(fields=["email", "article"], name="one_unlock_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.email}:{self.article_id}"
