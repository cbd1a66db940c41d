from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A reader, expert or editor. Email is the identity readers know; it is unique."""

    email = models.EmailField(_("メールアドレス"), unique=True)
    display_name = models.CharField(_("表示名"), max_length=60, blank=True)
    is_expert = models.BooleanField(
        _("エキスパート"), default=False, help_text=_("Think!に解説を投稿できます。")
    )

    class Meta:
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")

    def __str__(self) -> str:
        return self.display_name or self.email or self.username
