"""Follow and unfollow over HTML: htmx answers with the new state, plain posts come back,
and every refusal says what PRODUCT.md says."""

from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client

from denshiban.access.tests.factories import sign_in, subscribe
from denshiban.mynews import follows
from denshiban.mynews.models import Follow, FollowKind, Keyword
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    IndustryFactory,
    SeriesFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
GUEST = "有料会員の方のみご利用になれます。"
FREE = "権限不足のため、フォローできません"
FAILURE = "操作を実行できませんでした。時間を空けて再度お試しください。"


def post(client, action, kind, target, *, htmx=True, next_path="/topic/x/"):
    data = {"kind": kind, "target": str(target), "next": next_path}
    return client.post(f"/mynews/{action}/", data, **(HTMX if htmx else {}))


def test_paid_member_follows_a_topic_and_sees_following_at_once(client):
    user = sign_in(client, "active")
    topic = TopicFactory(name="半導体")
    response = post(client, "follow", "topic", topic.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "フォロー中" in html and 'aria-pressed="true"' in html
    assert 'action="/mynews/unfollow/"' in html
    assert Follow.objects.filter(user=user, kind="topic", target_id=topic.pk).count() == 1
    assert "no-store" in response["Cache-Control"]


def test_following_twice_keeps_one_follow(client):
    user = sign_in(client, "active")
    series = SeriesFactory()
    for _ in range(2):
        assert post(client, "follow", "series", series.pk).status_code == 200
    assert Follow.objects.filter(user=user).count() == 1


def test_unfollow_removes_the_follow_and_offers_follow_again(client):
    user = sign_in(client, "trialing")
    company = CompanyFactory()
    follows.follow(user=user, kind="company", target_id=company.pk)
    response = post(client, "unfollow", "company", company.pk)
    assert response.status_code == 200
    assert "フォローする" in response.content.decode()
    assert not Follow.objects.filter(user=user).exists()


def test_without_javascript_the_post_comes_back_to_the_page(client):
    user = sign_in(client, "active")
    industry = IndustryFactory()
    response = post(client, "follow", "industry", industry.pk, htmx=False, next_path="/industry/x/")
    assert response.status_code == 302 and response["Location"] == "/industry/x/"
    assert Follow.objects.filter(user=user, kind="industry").exists()


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/", ""])
def test_next_must_stay_on_this_site(client, next_path):
    sign_in(client, "active")
    response = post(client, "follow", "topic", TopicFactory().pk, htmx=False, next_path=next_path)
    assert response["Location"] == "/mynews/follows/"


def test_writes_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    user = sign_in(client, "active")
    assert post(client, "follow", "topic", TopicFactory().pk).status_code == 403
    assert not Follow.objects.filter(user=user).exists()


def test_guest_gets_the_gated_panel(client):
    topic = TopicFactory()
    response = post(client, "follow", "topic", topic.pk, htmx=False)
    assert response.status_code == 401
    html = response.content.decode()
    assert GUEST in html
    assert "トピックをフォローすると、新着情報のチェックやまとめ読みがしやすくなります。" in html
    assert "ログイン" in html and "/accounts/login/?next=/topic/x/" in html
    assert not Follow.objects.exists()


def test_guest_htmx_press_shows_the_panel_in_place(client):
    response = post(client, "follow", "series", SeriesFactory().pk)
    assert response.status_code == 401
    html = response.content.decode()
    assert 'class="follow-button' in html and GUEST in html
    assert "気になる連載・コラム・キーワードをフォローすると" in html


@pytest.mark.parametrize("role", ["free_member", "lapsed"])
def test_free_and_lapsed_members_are_refused_with_403(client, role):
    user = sign_in(client, role)
    for htmx in (True, False):
        response = post(client, "follow", "topic", TopicFactory().pk, htmx=htmx)
        assert response.status_code == 403
        assert FREE in response.content.decode()
    assert not Follow.objects.filter(user=user).exists()


def test_lapsed_member_keeps_follows_and_gets_them_back_on_resubscribing(client):
    user = sign_in(client, "active")
    topic = TopicFactory(name="脱炭素")
    follows.follow(user=user, kind="topic", target_id=topic.pk)
    user.subscriptions.update(status="expired", current_period_end="2000-01-01T00:00:00Z")
    client.force_login(user)
    assert client.get("/mynews/").status_code == 403
    assert Follow.objects.filter(user=user).exists()
    subscribe(user, "active")
    response = client.get("/mynews/follows/")
    assert response.status_code == 200 and "脱炭素" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "target"), [("topic", 999999), ("nonsense", 1), ("topic", "abc"), ("expert", 424242)]
)
def test_unknown_targets_are_404_with_a_message(client, kind, target):
    user = sign_in(client, "active")
    for htmx in (True, False):
        response = post(client, "follow", kind, target, htmx=htmx)
        assert response.status_code == 404
        if kind == "topic" and target == 999999:
            assert "フォローする対象が見つかりませんでした。" in response.content.decode()
    assert not Follow.objects.filter(user=user).exists()


def test_a_database_failure_says_error_and_changes_nothing(client):
    user = sign_in(client, "active")
    topic = TopicFactory()
    with mock.patch.object(follows, "follow", side_effect=DatabaseError("disk I/O error")):
        htmx = post(client, "follow", "topic", topic.pk)
        plain = post(client, "follow", "topic", topic.pk, htmx=False)
    for response in (htmx, plain):
        assert response.status_code == 503
        html = response.content.decode()
        assert "エラー" in html and FAILURE in html
    assert not Follow.objects.filter(user=user).exists()


def test_the_number_of_follows_is_limited(client, monkeypatch):
    user = sign_in(client, "active")
    monkeypatch.setattr(follows, "FOLLOW_LIMIT", 2)
    topics = [TopicFactory() for _ in range(3)]
    assert post(client, "follow", "topic", topics[0].pk).status_code == 200
    assert post(client, "follow", "topic", topics[1].pk).status_code == 200
    response = post(client, "follow", "topic", topics[2].pk)
    assert response.status_code == 409
    assert "フォローできるのは2件までです" in response.content.decode()
    # Following again what is already followed is still fine at the limit.
    assert post(client, "follow", "topic", topics[0].pk).status_code == 200
    assert Follow.objects.filter(user=user).count() == 2


def test_following_a_keyword_is_registering_it_and_unfollowing_removes_it(client):
    user = sign_in(client, "active")
    keyword = Keyword.objects.create(text="半導体")
    assert post(client, "follow", "keyword", keyword.pk).status_code == 200
    follow = Follow.objects.get(user=user, kind=FollowKind.KEYWORD)
    assert follow.target_id == keyword.pk
    assert post(client, "unfollow", "keyword", keyword.pk).status_code == 200
    assert not Follow.objects.filter(user=user).exists()
    # Nobody else had it: the word itself goes (registrations.remove_keyword).
    assert not Keyword.objects.filter(pk=keyword.pk).exists()


def test_follows_belong_to_their_member(client):
    other = sign_in(Client(), "active")
    topic = TopicFactory()
    follows.follow(user=other, kind="topic", target_id=topic.pk)
    sign_in(client, "active")
    post(client, "unfollow", "topic", topic.pk)
    assert Follow.objects.filter(user=other).exists()


def test_an_htmx_answer_keeps_the_compact_look_and_loads_no_second_htmx(client):
    sign_in(client, "active")
    data = {"kind": "topic", "target": TopicFactory().pk, "next": "/", "compact": "1"}
    html = client.post("/mynews/follow/", data, **HTMX).content.decode()
    assert "follow-button--compact" in html and 'name="compact" value="1"' in html
    assert "htmx.min.js" not in html
