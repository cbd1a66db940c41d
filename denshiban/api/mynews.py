"""Myニュース and follows in the API: the same list and the same follows as the pages.

GET /mynews (the gathered list, 20 a page, with why each article is there and whether it
is new since the previous visit), GET /follows, POST /follows and DELETE /follows
(kind and target_id). Paid members only, in the pages' words: a guest gets 401
「有料会員の方のみご利用になれます。」, a free or lapsed member 403 「権限不足のため、
フォローできません」, a failure 503 「操作を実行できませんでした。…」. Writes use the site's
session and its CSRF token (header X-CSRFToken), as the saved-items API does. Every
answer is the member's own (no-store).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from denshiban.access.permissions import Action
from denshiban.mynews import follows
from denshiban.mynews.gates import FAILURE_STATUS
from denshiban.mynews.models import Follow, FollowKind

from .members import FailureOut, failure, private, reader_session, refusal
from .schemas import ErrorOut, SectionRef
from .serialize import summary_fields

router = Router(tags=["Myニュース"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, FAILURE_STATUS: FailureOut}


class FollowOut(Schema):
    id: int
    kind: FollowKind
    target_id: int
    name: str
    label: str = Field(description="表示用の名前(例: トピック「半導体」)")
    url: str | None
    created_at: datetime


class FollowIn(Schema):
    kind: FollowKind
    target_id: int


class FollowListOut(Schema):
    count: int
    items: list[FollowOut]


class MyNewsQuery(Schema):
    page: int = Field(1, ge=1, le=follows.MAX_PAGE)
    follow: int | None = Field(None, description="このフォロー(id)の記事だけにする")


class LabelOut(Schema):
    follow_id: int
    kind: FollowKind
    name: str
    label: str


class MyNewsArticleOut(Schema):
    id: int
    url: str
    headline: str
    lead: str
    section: SectionRef | None
    access_level: str
    published_at: datetime
    updated_at: datetime | None
    is_updated: bool
    is_new: bool = Field(description="前回Myニュースを開いた後に公開された記事")
    labels: list[LabelOut] = Field(description="この記事が並んでいる理由(フォロー)")


class MyNewsOut(Schema):
    page: int
    page_size: int
    has_next: bool
    previous_seen_at: datetime | None
    items: list[MyNewsArticleOut]
    follows: list[FollowOut]


def _follow_out(request: HttpRequest, item: follows.FollowedItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "target_id": item.target_id,
        "name": item.name,
        "label": item.label,
        "url": request.build_absolute_uri(item.url) if item.url else None,
        "created_at": item.created_at,
    }


def _article_out(request: HttpRequest, item: follows.FeedItem) -> dict[str, Any]:
    article = item.article
    return {
        "id": article.pk,
        **summary_fields(request, article),
        "updated_at": article.updated_at,
        "is_updated": article.is_updated,
        "is_new": item.is_new,
        "labels": [
            {"follow_id": label.id, "kind": label.kind, "name": label.name, "label": label.label}
            for label in item.labels
        ],
    }


@router.get(
    "/mynews",
    response={200: MyNewsOut, **ERRORS},
    auth=reader_session,
    summary="Myニュース(フォローしている項目の記事、新しい順)",
)
def get_mynews(request: HttpRequest, response: HttpResponse, query: Query[MyNewsQuery]) -> Any:
    private(response)
    if (refused := refusal(request, Action.FOLLOW)) is not None:
        return refused
    user = request.user
    # As on the page: the first page of everything is a visit, other pages are not.
    if query.page == 1 and query.follow is None:
        previous_seen_at = follows.record_visit(user=user).previous_seen_at
    else:
        previous_seen_at = follows.previous_visit(user=user)
    try:
        result = follows.mynews_page(
            user=user,
            page=query.page,
            follow_id=query.follow,
            previous_seen_at=previous_seen_at,
        )
    except Follow.DoesNotExist:
        return Status(404, {"detail": "フォローが見つかりませんでした。"})
    return {
        "page": result.number,
        "page_size": follows.PER_PAGE,
        "has_next": result.has_next,
        "previous_seen_at": previous_seen_at,
        "items": [_article_out(request, item) for item in result.items],
        "follows": [_follow_out(request, item) for item in result.follows],
    }


@router.get(
    "/follows",
    response={200: FollowListOut, **ERRORS},
    auth=reader_session,
    summary="フォローしている項目(新しい順)",
)
def list_follows(request: HttpRequest, response: HttpResponse) -> Any:
    private(response)
    if (refused := refusal(request, Action.FOLLOW)) is not None:
        return refused
    named = follows.named_follows(follows.member_follows(request.user))
    return {"count": len(named), "items": [_follow_out(request, item) for item in named]}


@router.post(
    "/follows",
    response={201: FollowOut, 400: ErrorOut, **ERRORS},
    auth=reader_session,
    summary="フォローする(フォロー中なら何もしない)",
)
def create_follow(request: HttpRequest, response: HttpResponse, payload: FollowIn) -> Any:
    private(response)
    try:
        made = follows.follow(user=request.user, kind=payload.kind, target_id=payload.target_id)
    except follows.FollowError as error:
        return Status(error.status, {"detail": error.message})
    except DatabaseError:
        return failure()
    return Status(201, _follow_out(request, follows.named_follows([made])[0]))


@router.delete(
    "/follows",
    response={204: None, 400: ErrorOut, **ERRORS},
    auth=reader_session,
    summary="フォローをやめる(フォローしていなくても成功)",
)
def delete_follow(request: HttpRequest, response: HttpResponse, target: Query[FollowIn]) -> Any:
    private(response)
    try:
        follows.unfollow(user=request.user, kind=target.kind, target_id=target.target_id)
    except follows.FollowError as error:
        return Status(error.status, {"detail": error.message})
    except DatabaseError:
        return failure()
    return Status(204, None)
