"""Saved articles and charts in the API: the same lists as the pages, for any device.

GET, POST and DELETE /saved/articles and /saved/charts. Paid members only, with the
pages' words: a guest gets 401 「有料会員の方のみご利用になれます。」, a free or lapsed member
403 「権限不足のため、保存できません」, a failure 503 「操作を実行できませんでした。…」.
Writes use the site's session; whenever the session cookie comes with a write, the CSRF
token must come too (header X-CSRFToken). Every answer is the member's own (no-store).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from denshiban.access.permissions import Action
from denshiban.mynews import saving
from denshiban.mynews.gates import FAILURE_STATUS

from .charts import chart_out
from .members import FailureOut, failure, private, reader_session, refusal
from .schemas import ChartOut, ErrorOut, SectionRef
from .serialize import summary_fields

router = Router(tags=["保存"])


class PageQuery(Schema):
    page: int = Field(1, ge=1)


class SavedArticleOut(Schema):
    article_id: int
    headline: str
    lead: str
    url: str
    section: SectionRef | None
    access_level: str
    published_at: datetime | None
    saved_at: datetime


class SavedArticleList(Schema):
    count: int
    page: int
    page_size: int
    items: list[SavedArticleOut]


class SavedChartOut(Schema):
    chart_id: int
    title: str
    visible: bool = Field(description="掲載記事を今読める場合だけ true。false のとき chart は null")
    chart: ChartOut | None
    saved_at: datetime


class SavedChartList(Schema):
    count: int
    page: int
    page_size: int
    items: list[SavedChartOut]


class SaveArticleIn(Schema):
    article_id: int


class SaveChartIn(Schema):
    chart_id: int


class SavedOut(Schema):
    id: int
    saved: bool
    saved_at: datetime


def _page(paginated: Any, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "count": paginated.paginator.count,
        "page": paginated.number,
        "page_size": paginated.paginator.per_page,
        "items": items,
    }


def _article_out(request: HttpRequest, item: saving.SavedArticleItem) -> dict[str, Any]:
    return {
        "article_id": item.article.pk,
        **summary_fields(request, item.article),
        "saved_at": item.saved_at,
    }


def _chart_out(request: HttpRequest, item: saving.SavedChartItem) -> dict[str, Any]:
    return {
        "chart_id": item.chart.pk,
        "title": item.chart.title,
        "visible": item.visible,
        "chart": chart_out(request, item.chart) if item.visible else None,
        "saved_at": item.saved_at,
    }


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, FAILURE_STATUS: FailureOut}


@router.get(
    "/articles",
    response={200: SavedArticleList, **ERRORS},
    auth=reader_session,
    summary="保存した記事(新しく保存した順)",
)
def list_saved_articles(
    request: HttpRequest, response: HttpResponse, query: Query[PageQuery]
) -> Any:
    private(response)
    if (refused := refusal(request, Action.SAVE)) is not None:
        return refused
    paginated = saving.saved_articles(request.user, query.page)
    return _page(paginated, [_article_out(request, item) for item in paginated.object_list])


@router.post(
    "/articles",
    response={201: SavedOut, **ERRORS},
    auth=reader_session,
    summary="記事を保存する(保存済みなら何もしない)",
)
def save_article(request: HttpRequest, response: HttpResponse, payload: SaveArticleIn) -> Any:
    private(response)
    try:
        saved = saving.save_article(user=request.user, article_id=payload.article_id)
    except saving.SaveRefused as refused:
        return Status(refused.permission.status, {"detail": refused.permission.message})
    except saving.SaveTargetNotFound:
        return Status(404, {"detail": "記事が見つかりませんでした。"})
    except DatabaseError:
        return failure()
    return Status(201, {"id": saved.article_id, "saved": True, "saved_at": saved.created_at})


@router.delete(
    "/articles/{int:article_id}",
    response={204: None, **ERRORS},
    auth=reader_session,
    summary="記事の保存を取り消す",
)
def unsave_article(request: HttpRequest, response: HttpResponse, article_id: int) -> Any:
    private(response)
    try:
        saving.unsave_article(user=request.user, article_id=article_id)
    except saving.SaveRefused as refused:
        return Status(refused.permission.status, {"detail": refused.permission.message})
    except DatabaseError:
        return failure()
    return Status(204, None)


@router.get(
    "/charts",
    response={200: SavedChartList, **ERRORS},
    auth=reader_session,
    summary="保存した図表(新しく保存した順)",
)
def list_saved_charts(request: HttpRequest, response: HttpResponse, query: Query[PageQuery]) -> Any:
    private(response)
    if (refused := refusal(request, Action.SAVE)) is not None:
        return refused
    paginated = saving.saved_charts(request.user, query.page)
    return _page(paginated, [_chart_out(request, item) for item in paginated.object_list])


@router.post(
    "/charts",
    response={201: SavedOut, **ERRORS},
    auth=reader_session,
    summary="図表を保存する(保存済みなら何もしない)",
)
def save_chart(request: HttpRequest, response: HttpResponse, payload: SaveChartIn) -> Any:
    private(response)
    try:
        saved = saving.save_chart(user=request.user, chart_id=payload.chart_id)
    except saving.SaveRefused as refused:
        return Status(refused.permission.status, {"detail": refused.permission.message})
    except saving.SaveTargetNotFound:
        return Status(404, {"detail": "図表が見つかりませんでした。"})
    except DatabaseError:
        return failure()
    return Status(201, {"id": saved.chart_id, "saved": True, "saved_at": saved.created_at})


@router.delete(
    "/charts/{int:chart_id}",
    response={204: None, **ERRORS},
    auth=reader_session,
    summary="図表の保存を取り消す",
)
def unsave_chart(request: HttpRequest, response: HttpResponse, chart_id: int) -> Any:
    private(response)
    try:
        saving.unsave_chart(user=request.user, chart_id=chart_id)
    except saving.SaveRefused as refused:
        return Status(refused.permission.status, {"detail": refused.permission.message})
    except DatabaseError:
        return failure()
    return Status(204, None)
