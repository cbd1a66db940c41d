"""GET /topics and /topics/{slug}."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from denshiban.newsroom.models import Topic

from . import serialize
from .caching import cache_publicly
from .schemas import ErrorOut, TopicDetail, TopicOut

router = Router(tags=["トピック"])


def _topics():
    related = Prefetch("related_topics", queryset=Topic.objects.only("id", "slug", "name"))
    return Topic.objects.prefetch_related(related)


def topic_out(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    return {
        **serialize.topic_ref(request, topic),
        "description": topic.description,
        "related_topics": [serialize.topic_ref(request, t) for t in topic.related_topics.all()],
    }


@router.get("", response=list[TopicOut], summary="トピックの一覧")
def list_topics(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    cache_publicly(response)
    return [topic_out(request, topic) for topic in _topics()]


@router.get("/{slug}", response={200: TopicDetail, 404: ErrorOut}, summary="トピックと最新記事")
def get_topic(request: HttpRequest, response: HttpResponse, slug: str) -> dict[str, Any]:
    topic = get_object_or_404(_topics(), slug=slug)
    cache_publicly(response)
    latest = serialize.article_items().filter(topics=topic)
    return {**topic_out(request, topic), "latest": serialize.latest_items(request, latest)}
