"""キーワード登録 in the API: GET, POST and DELETE /keywords, with the page's rules and words.

A guest gets 401 「有料会員の方のみご利用になれます。」, a free or lapsed member 403
「権限不足のため、キーワード登録できません」; an empty, too long or already registered word
400 with the page's message; a failure 503. Writes need the CSRF token with the session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from denshiban.access.permissions import Action
from denshiban.mynews import registrations

from .members import failure, private, reader_session, refusal
from .saved import ERRORS

router = Router(tags=["キーワード登録"])


class KeywordOut(Schema):
    id: int
    keyword: str = Field(description="登録したときの表記")
    normalized: str = Field(description="照合に使う形(NFKC・小文字)")
    registered_at: datetime


class KeywordList(Schema):
    count: int
    limit: int
    items: list[KeywordOut]


class KeywordIn(Schema):
    keyword: str


class KeywordErrorOut(Schema):
    detail: str
    code: str


def _out(keyword: registrations.RegisteredKeyword) -> dict[str, Any]:
    return {
        "id": keyword.id,
        "keyword": keyword.label,
        "normalized": keyword.text,
        "registered_at": keyword.registered_at,
    }


@router.get(
    "",
    response={200: KeywordList, **ERRORS},
    auth=reader_session,
    summary="登録したキーワード(新しい順)",
)
def list_keywords(request: HttpRequest, response: HttpResponse) -> Any:
    private(response)
    if (refused := refusal(request, Action.REGISTER_KEYWORD)) is not None:
        return refused
    keywords = registrations.member_keywords(request.user)
    return {
        "count": len(keywords),
        "limit": registrations.MAX_KEYWORDS_PER_MEMBER,
        "items": [_out(keyword) for keyword in keywords],
    }


@router.post(
    "",
    response={201: KeywordOut, 400: KeywordErrorOut, **ERRORS},
    auth=reader_session,
    summary="キーワードを登録する",
)
def register_keyword(request: HttpRequest, response: HttpResponse, payload: KeywordIn) -> Any:
    private(response)
    try:
        registered = registrations.register_keyword(user=request.user, raw=payload.keyword)
    except registrations.KeywordRefused as refused:
        return Status(refused.permission.status, {"detail": refused.permission.message})
    except registrations.KeywordInvalid as invalid:
        return Status(400, {"detail": invalid.message, "code": invalid.code})
    except DatabaseError:
        return failure()
    return Status(201, _out(registered))


@router.delete(
    "/{int:keyword_id}",
    response={204: None, **ERRORS},
    auth=reader_session,
    summary="キーワードを削除する",
)
def remove_keyword(request: HttpRequest, response: HttpResponse, keyword_id: int) -> Any:
    private(response)
    try:
        registrations.remove_keyword(user=request.user, keyword_id=keyword_id)
    except registrations.KeywordRefused as refused:
        return Status(refused.permission.status, {"detail": refused.permission.message})
    except registrations.KeywordNotFound:
        return Status(404, {"detail": "このキーワードは登録されていません。"})
    except DatabaseError:
        return failure()
    return Status(204, None)
