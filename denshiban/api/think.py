"""Think! in the API: an article's comments, posting, editing, deleting, 参考になった, experts.

The same rules as the pages: guests get the count and who wrote, never a comment's text;
`access.permissions.check` decides who reads and who posts, with the same Japanese
messages. Writes use the site's session; whenever a session cookie comes with a write, the
CSRF token must come too (header X-CSRFToken), as for any form on the site.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from denshiban.access.permissions import Action, check
from denshiban.core.http import mark_cacheable_for_guests
from denshiban.newsroom.models import ArticlePage
from denshiban.think import selectors, services
from denshiban.think.exceptions import CommentInvalid, ThinkError
from denshiban.think.models import Comment

from .body import image_out
from .members import reader_session

router = Router(tags=["Think!"])


class ThinkErrorOut(Schema):
    detail: str
    errors: dict[str, str] | None = None


class ExpertRefOut(Schema):
    name: str
    title: str
    affiliation: str
    slug: str
    url: str


class CommentOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    url: str
    created_at: datetime
    edited_at: datetime | None
    expert: ExpertRefOut
    helpful_count: int
    marked_helpful: bool
    own: bool
    editable_until: datetime | None = Field(
        None, description="本人が編集できる期限(投稿から30分)。本人以外にはnull"
    )


class ArticleThinkOut(Schema):
    article_id: int
    count: int
    experts: list[ExpertRefOut]
    sort: str
    comments: list[CommentOut] | None = Field(
        None, description="会員だけに返します。ゲストにはnullと、その理由(message)"
    )
    message: str | None = None


class CommentIn(Schema):
    kind: str = Field(
        "", description="brief(ひとこと解説)/ analysis(分析・考察)/ viewpoint(別の視点)"
    )
    text: str = Field("", description="50〜800文字のプレーンテキスト")
    url: str = Field("", description="参考リンク(任意、http/httpsのURLを1つ)")


class HelpfulOut(Schema):
    comment_id: int
    marked: bool
    helpful_count: int


class ArticleRefOut(Schema):
    id: int
    headline: str
    url: str


class ExpertCommentOut(Schema):
    id: int
    kind: str
    kind_label: str
    created_at: datetime
    edited_at: datetime | None
    article: ArticleRefOut
    text: str | None = Field(None, description="会員だけに返します")
    url: str | None = None
    helpful_count: int | None = None


class PhotoRefOut(Schema):
    url: str
    width: int
    height: int


class ExpertDetailOut(ExpertRefOut):
    id: int
    biography: str
    fields_of_expertise: list[str]
    photo: PhotoRefOut | None
    count: int
    page: int
    page_size: int
    comments: list[ExpertCommentOut]
    message: str | None = None


class SortQuery(Schema):
    sort: selectors.Sort = Field(selectors.Sort.HELPFUL, description="helpful / new")


class PageQuery(Schema):
    page: int = Field(1, ge=1)


def _expert_ref(request: HttpRequest, expert: Any) -> dict[str, Any]:
    return {
        "name": expert.name,
        "title": expert.title,
        "affiliation": expert.affiliation,
        "slug": expert.slug,
        "url": request.build_absolute_uri(reverse("experts:detail", args=[expert.slug])),
    }


def _comment_out(request: HttpRequest, comment: Comment, user: Any) -> dict[str, Any]:
    own = comment.expert.user_id is not None and comment.expert.user_id == user.pk
    return {
        "id": comment.pk,
        "kind": comment.kind,
        "kind_label": comment.get_kind_display(),
        "text": comment.text,
        "url": comment.url,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "expert": _expert_ref(request, comment.expert),
        "helpful_count": getattr(comment, "helpful_count", 0),
        "marked_helpful": bool(getattr(comment, "marked_by_me", False)),
        "own": own,
        "editable_until": comment.editable_until if own else None,
    }


def _refusal(error: ThinkError) -> Status:
    errors = error.errors if isinstance(error, CommentInvalid) else None
    if error.field and errors is None:
        errors = {error.field: error.message}
    return Status(error.status, {"detail": error.message, "errors": errors})


def _live_article(article_id: int) -> ArticlePage | None:
    return ArticlePage.objects.live().only("id", "live").filter(pk=article_id).first()


def _not_found() -> Status:
    return Status(404, {"detail": "見つかりませんでした。"})


ERRORS = {400: ThinkErrorOut, 401: ThinkErrorOut, 403: ThinkErrorOut, 404: ThinkErrorOut}


@router.get(
    "/articles/{int:article_id}/comments",
    response={200: ArticleThinkOut, 404: ThinkErrorOut},
    summary="記事のThink!(会員にはコメント、ゲストには件数と執筆者のみ)",
)
def list_comments(
    request: HttpRequest, response: HttpResponse, article_id: int, query: Query[SortQuery]
) -> Any:
    if _live_article(article_id) is None:
        return _not_found()
    mark_cacheable_for_guests(request, response)
    permission = check(request.user, Action.THINK_READ)
    if not permission.allowed:
        summary = selectors.think_summary(article_id)
        return {
            "article_id": article_id,
            "count": summary.count,
            "experts": [_expert_ref(request, expert) for expert in summary.experts],
            "sort": str(query.sort),
            "comments": None,
            "message": permission.message,
        }
    comments = selectors.comments_for_member(
        article_id=article_id, user=request.user, sort=query.sort
    )
    experts: dict[int, Any] = {}
    for comment in sorted(comments, key=lambda c: (c.created_at, c.pk)):
        experts.setdefault(comment.expert_id, comment.expert)
    return {
        "article_id": article_id,
        "count": len(comments),
        "experts": [_expert_ref(request, expert) for expert in experts.values()],
        "sort": str(query.sort),
        "comments": [_comment_out(request, c, request.user) for c in comments],
        "message": None,
    }


@router.post(
    "/articles/{int:article_id}/comments",
    auth=reader_session,
    response={201: CommentOut, **ERRORS, 429: ThinkErrorOut},
    summary="Think!に投稿する(エキスパートのみ)",
)
def post_comment(request: HttpRequest, article_id: int, payload: CommentIn) -> Any:
    article = _live_article(article_id)
    if article is None:
        return _not_found()
    try:
        comment = services.post_comment(
            user=request.user,
            article=article,
            kind=payload.kind,
            text=payload.text,
            url=payload.url,
        )
    except ThinkError as error:
        return _refusal(error)
    return Status(201, _comment_out(request, comment, request.user))


@router.patch(
    "/comments/{int:comment_id}",
    auth=reader_session,
    response={200: CommentOut, **ERRORS},
    summary="自分のコメントを編集する(投稿から30分以内)",
)
def edit_comment(request: HttpRequest, comment_id: int, payload: CommentIn) -> Any:
    try:
        comment = services.edit_comment(
            user=request.user,
            comment_id=comment_id,
            kind=payload.kind,
            text=payload.text,
            url=payload.url,
        )
    except ThinkError as error:
        return _refusal(error)
    return _comment_out(request, comment, request.user)


@router.delete(
    "/comments/{int:comment_id}",
    auth=reader_session,
    response={204: None, **ERRORS},
    summary="自分のコメントを削除する",
)
def delete_comment(request: HttpRequest, comment_id: int) -> Any:
    try:
        services.delete_comment(user=request.user, comment_id=comment_id)
    except ThinkError as error:
        return _refusal(error)
    return Status(204, None)


@router.post(
    "/comments/{int:comment_id}/helpful",
    auth=reader_session,
    response={200: HelpfulOut, **ERRORS},
    summary="「参考になった」を付ける・外す(会員)",
)
def toggle_helpful(request: HttpRequest, comment_id: int) -> Any:
    try:
        state = services.toggle_helpful(user=request.user, comment_id=comment_id)
    except ThinkError as error:
        return _refusal(error)
    return {"comment_id": state.comment_id, "marked": state.marked, "helpful_count": state.count}


@router.get(
    "/experts/{slug}",
    response={200: ExpertDetailOut, 404: ThinkErrorOut},
    summary="エキスパートのプロフィールとコメント(本文は会員のみ)",
)
def expert_detail(
    request: HttpRequest, response: HttpResponse, slug: str, query: Query[PageQuery]
) -> Any:
    expert = selectors.expert_by_slug(slug)
    if expert is None:
        return _not_found()
    mark_cacheable_for_guests(request, response)
    permission = check(request.user, Action.THINK_READ)
    page = selectors.expert_comments(expert=expert, page=query.page, with_text=permission.allowed)
    photo = image_out(request, expert.photo) if expert.photo else None
    comments = []
    for comment in page.object_list:
        item = {
            "id": comment.pk,
            "kind": comment.kind,
            "kind_label": comment.get_kind_display(),
            "created_at": comment.created_at,
            "edited_at": comment.edited_at,
            "article": {
                "id": comment.article_id,
                "headline": comment.article_title,
                "url": request.build_absolute_uri(f"/article/{comment.article_id}/"),
            },
        }
        if permission.allowed:
            item.update(text=comment.text, url=comment.url, helpful_count=comment.helpful_count)
        comments.append(item)
    return {
        "id": expert.pk,
        **_expert_ref(request, expert),
        "biography": expert.biography,
        "fields_of_expertise": expert.fields_of_expertise,
        "photo": photo,
        "count": page.paginator.count,
        "page": page.number,
        "page_size": page.paginator.per_page,
        "comments": comments,
        "message": None if permission.allowed else permission.message,
    }
