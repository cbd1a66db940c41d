"""What the Think! block beside an article shows one reader.

A guest's block is the same for every guest (the article page sits in the shared page
cache): the count, who wrote, the invitation to sign in — never a comment's text. A
member's block lists the comments; an expert's adds the form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from denshiban.access.permissions import Action, check

from . import selectors
from .forms import CommentForm
from .models import TEXT_MAX_LENGTH, TEXT_MIN_LENGTH

ANCHOR = "think"
# PRODUCT.md's explanation of the gated feature, word for word.
GATED_EXPLANATION = _(
    "記事と併せて、エキスパート(専門家)のひとこと解説や分析を読むことができます。"
)


def _user(request: Any) -> Any:
    return getattr(request, "user", None)


def article_anchor(article_path: str) -> str:
    return f"{article_path}#{ANCHOR}"


def guest_context(*, article_id: int, article_path: str, message: str) -> dict[str, Any]:
    """Depends on the article alone, so one rendering serves every guest."""
    back = quote(article_anchor(article_path), safe="/")
    summary = selectors.think_summary(article_id)
    return {
        "locked": True,
        "article_id": article_id,
        "summary": summary,
        "count": summary.count,
        "message": message,
        "explanation": GATED_EXPLANATION,
        "login_url": f"{reverse('account_login')}?next={back}",
        "signup_url": f"{reverse('account_signup')}?next={back}",
    }


def block_context(
    *,
    request: Any,
    article_id: int,
    article_path: str,
    sort: Any = None,
    form: CommentForm | None = None,
    editing: tuple[int, CommentForm] | None = None,
    notice: str = "",
    error: str = "",
) -> dict[str, Any]:
    user = _user(request)
    permission = check(user, Action.THINK_READ)
    if not permission.allowed:
        return guest_context(
            article_id=article_id, article_path=article_path, message=permission.message
        )
    sort = selectors.parse_sort(sort)
    comments = selectors.comments_for_member(article_id=article_id, user=user, sort=sort)
    now = timezone.now()
    editing_id, editing_form = editing if editing else (None, None)
    for comment in comments:
        comment.is_own = comment.expert.user_id == user.pk
        comment.can_edit = comment.is_own and comment.is_editable(now)
        comment.edit_form = editing_form if comment.pk == editing_id else None
    expert = selectors.expert_for(user) if check(user, Action.THINK_POST).allowed else None
    return {
        "locked": False,
        "article_id": article_id,
        "article_path": article_path,
        "comments": comments,
        "count": len(comments),
        "sort": str(sort),
        "sorts": [("helpful", _("参考になった順")), ("new", _("新しい順"))],
        "is_expert": user.is_expert,
        "expert": expert,
        "form": (form or CommentForm()) if expert else None,
        "notice": notice,
        "error": error,
        "text_min": TEXT_MIN_LENGTH,
        "text_max": TEXT_MAX_LENGTH,
    }
