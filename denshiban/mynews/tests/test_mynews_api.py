"""Myニュース and follows through the JSON API: the same rules and words as the pages."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from denshiban.access.tests.factories import sign_in
from denshiban.mynews import feed, follows
from denshiban.mynews.models import Follow, MyNewsVisit
from denshiban.newsroom.tests.factories import CompanyFactory, TopicFactory, add_article

pytestmark = pytest.mark.django_db


def send(client, method, path, payload=None, **extra):
    if payload is None:
        return getattr(client, method)(path, **extra)
    return getattr(client, method)(
        path, data=json.dumps(payload), content_type="application/json", **extra
    )


def test_guest_is_told_who_may_follow(client):
    for method, path, payload in (
        ("get", "/api/v1/mynews", None),
        ("get", "/api/v1/follows", None),
        ("post", "/api/v1/follows", {"kind": "topic", "target_id": 1}),
        ("delete", "/api/v1/follows?kind=topic&target_id=1", None),
    ):
        response = send(client, method, path, payload)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "有料会員の方のみご利用になれます。"}


@pytest.mark.parametrize("role", ["free_member", "lapsed"])
def test_free_and_lapsed_members_get_403(client, role):
    sign_in(client, role)
    topic = TopicFactory()
    response = send(client, "post", "/api/v1/follows", {"kind": "topic", "target_id": topic.pk})
    assert response.status_code == 403
    assert response.json() == {"detail": "権限不足のため、フォローできません"}
    assert client.get("/api/v1/mynews").status_code == 403
    assert not Follow.objects.exists()


def test_follow_list_and_unfollow(client):
    user = sign_in(client, "active")
    topic = TopicFactory(name="物価")
    made = send(client, "post", "/api/v1/follows", {"kind": "topic", "target_id": topic.pk})
    assert made.status_code == 201
    body = made.json()
    assert (
        body["kind"] == "topic" and body["name"] == "物価" and body["label"] == "トピック「物価」"
    )
    assert body["url"].endswith(topic.get_absolute_url())
    again = send(client, "post", "/api/v1/follows", {"kind": "topic", "target_id": topic.pk})
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    listed = client.get("/api/v1/follows")
    assert listed.json()["count"] == 1 and "no-store" in listed["Cache-Control"]
    gone = client.delete(f"/api/v1/follows?kind=topic&target_id={topic.pk}")
    assert gone.status_code == 204
    assert not Follow.objects.filter(user=user).exists()


def test_unknown_target_is_404(client):
    sign_in(client, "active")
    response = send(client, "post", "/api/v1/follows", {"kind": "company", "target_id": 987654})
    assert response.status_code == 404
    assert response.json() == {"detail": "フォローする対象が見つかりませんでした。"}
    bad_kind = send(client, "post", "/api/v1/follows", {"kind": "reporter", "target_id": 1})
    assert bad_kind.status_code == 422


def test_a_database_failure_is_503_with_the_words(client):
    sign_in(client, "active")
    with mock.patch.object(follows, "follow", side_effect=DatabaseError("locked")):
        response = send(client, "post", "/api/v1/follows", {"kind": "topic", "target_id": 1})
    assert response.status_code == 503
    assert response.json() == {
        "title": "エラー",
        "detail": "操作を実行できませんでした。時間を空けて再度お試しください。",
    }


def test_session_writes_need_the_csrf_token(site):
    client = Client(enforce_csrf_checks=True)
    user = sign_in(client, "active")
    topic = TopicFactory()
    refused = send(client, "post", "/api/v1/follows", {"kind": "topic", "target_id": topic.pk})
    assert refused.status_code == 403
    assert not Follow.objects.filter(user=user).exists()
    client.get("/mynews/")  # the page sets the CSRF cookie, as a browser would get it
    token = client.cookies["csrftoken"].value
    accepted = send(
        client,
        "post",
        "/api/v1/follows",
        {"kind": "topic", "target_id": topic.pk},
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


def test_mynews_lists_articles_with_labels_and_new_flags(client, site):
    user = sign_in(client, "active")
    topic, maker = TopicFactory(name="電池"), CompanyFactory(name="架空化学")
    follows.follow(user=user, kind="topic", target_id=topic.pk)
    follows.follow(user=user, kind="company", target_id=maker.pk)
    old = add_article(
        index=site["index"],
        section=site["section"],
        title="古い記事",
        topics=[topic],
        published_at=timezone.now() - timedelta(days=2),
    )
    feed.sync_entries([old.pk])
    MyNewsVisit.objects.create(user=user, seen_at=timezone.now() - timedelta(days=1))
    new = add_article(
        index=site["index"],
        section=site["section"],
        title="新しい記事",
        topics=[topic],
        companies=[maker],
    )
    feed.sync_entries([new.pk])
    response = client.get("/api/v1/mynews")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    data = response.json()
    assert [item["headline"] for item in data["items"]] == ["新しい記事", "古い記事"]
    assert [item["is_new"] for item in data["items"]] == [True, False]
    assert {label["label"] for label in data["items"][0]["labels"]} == {
        "トピック「電池」",
        "企業「架空化学」",
    }
    assert data["has_next"] is False and len(data["follows"]) == 2
    company_follow = Follow.objects.get(user=user, kind="company").pk
    narrowed = client.get(f"/api/v1/mynews?follow={company_follow}").json()
    assert [item["headline"] for item in narrowed["items"]] == ["新しい記事"]
    other = Follow.objects.create(
        user=sign_in(Client(), "active"), kind="topic", target_id=topic.pk
    )
    assert client.get(f"/api/v1/mynews?follow={other.pk}").status_code == 404


def test_openapi_lists_the_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/mynews" in paths
    assert {"get", "post", "delete"} <= set(paths["/api/v1/follows"])
