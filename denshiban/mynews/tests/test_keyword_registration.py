"""キーワード登録: the services, the page (htmx and plain POST) and the API, with their words."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

from denshiban.access.tests.factories import make_user, sign_in, subscribe
from denshiban.billing.models import SubscriptionStatus
from denshiban.mynews import registrations
from denshiban.mynews.models import FeedEntry, Follow, FollowKind, Keyword
from denshiban.mynews.registrations import (
    KeywordInvalid,
    KeywordNotFound,
    KeywordRefused,
    register_keyword,
    remove_keyword,
)

pytestmark = pytest.mark.django_db

PAGE = "/mynews/keywords/"
API = "/api/v1/keywords"
GUEST_MESSAGE = "有料会員の方のみご利用になれます。"
FREE_MESSAGE = "権限不足のため、キーワード登録できません"
PROMOTION = "キーワード登録であなたの重要なニュースをハイライト"


@pytest.fixture
def member():
    return make_user("active")


# --- services -----------------------------------------------------------------------------


def test_registration_stores_the_normalized_word_and_keeps_the_label_as_typed(member):
    registered = register_keyword(user=member, raw="  ＵＳスチール ")

    keyword = Keyword.objects.get()
    assert keyword.text == "usスチール"
    follow = Follow.objects.get(user=member)
    assert (follow.kind, follow.target_id, follow.label) == (
        FollowKind.KEYWORD,
        keyword.pk,
        "ＵＳスチール",
    )
    assert registered.id == keyword.pk
    assert registered.label == "ＵＳスチール"


@pytest.mark.parametrize("again", ["USスチール", "ｕｓスチール", "ＵＳスチール", " usスチール "])
def test_the_same_word_in_another_width_or_case_is_already_registered(member, again):
    register_keyword(user=member, raw="USスチール")

    with pytest.raises(KeywordInvalid) as refused:
        register_keyword(user=member, raw=again)

    assert refused.value.code == "duplicate"
    assert refused.value.message == "このキーワードは登録済みです。"
    assert Follow.objects.count() == 1
    assert Keyword.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "キーワードを入力してください。"),
        ("   　 ", "empty", "キーワードを入力してください。"),
        ("あ" * 31, "too_long", "キーワードは30文字以内で入力してください。"),
    ],
)
def test_empty_or_too_long_words_are_refused_and_nothing_is_stored(member, raw, code, message):
    with pytest.raises(KeywordInvalid) as refused:
        register_keyword(user=member, raw=raw)

    assert (refused.value.code, refused.value.message) == (code, message)
    assert not Keyword.objects.exists()
    assert not Follow.objects.exists()


def test_thirty_characters_are_accepted(member):
    register_keyword(user=member, raw="あ" * 30)
    assert Keyword.objects.get().text == "あ" * 30


def test_members_share_one_keyword_row(member):
    other = make_user("active")
    register_keyword(user=member, raw="半導体")
    register_keyword(user=other, raw="半導体")

    assert Keyword.objects.count() == 1
    assert Follow.objects.filter(kind=FollowKind.KEYWORD).count() == 2


def test_a_member_registers_up_to_the_limit_and_is_told_when_over_it(member):
    for number in range(registrations.MAX_KEYWORDS_PER_MEMBER):
        register_keyword(user=member, raw=f"語{number}")

    with pytest.raises(KeywordInvalid) as refused:
        register_keyword(user=member, raw="もう一つ")

    assert refused.value.code == "limit"
    assert "100件まで" in refused.value.message
    assert Follow.objects.filter(user=member).count() == registrations.MAX_KEYWORDS_PER_MEMBER
    assert not Keyword.objects.filter(text="もう一つ").exists()


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [("free_member", 403, FREE_MESSAGE), ("lapsed", 403, FREE_MESSAGE)],
)
def test_free_and_lapsed_members_may_not_register(role, status, message):
    user = make_user(role)
    with pytest.raises(KeywordRefused) as refused:
        register_keyword(user=user, raw="半導体")
    assert (refused.value.permission.status, refused.value.permission.message) == (
        status,
        message,
    )
    assert not Keyword.objects.exists()


def test_removing_the_last_registration_deletes_the_keyword_and_its_entries(member, site):
    from denshiban.newsroom.tests.factories import add_article

    article = add_article(index=site["index"], section=site["section"])
    registered = register_keyword(user=member, raw="日銀")
    FeedEntry.objects.get_or_create(
        kind=FollowKind.KEYWORD,
        target_id=registered.id,
        article=article,
        defaults={"published_at": article.first_published_at},
    )

    remove_keyword(user=member, keyword_id=registered.id)

    assert not Follow.objects.exists()
    assert not Keyword.objects.exists()
    assert not FeedEntry.objects.filter(kind=FollowKind.KEYWORD).exists()


def test_a_keyword_another_member_still_has_is_kept(member):
    other = make_user("active")
    registered = register_keyword(user=member, raw="日銀")
    register_keyword(user=other, raw="日銀")

    remove_keyword(user=member, keyword_id=registered.id)

    assert Keyword.objects.filter(pk=registered.id).exists()
    assert Follow.objects.get().user == other


def test_nobody_removes_another_members_keyword(member):
    other = make_user("active")
    registered = register_keyword(user=other, raw="日銀")

    with pytest.raises(KeywordNotFound):
        remove_keyword(user=member, keyword_id=registered.id)

    assert Follow.objects.filter(user=other).exists()


def test_a_lapsed_member_keeps_keywords_and_has_them_again_after_resubscribing(member):
    register_keyword(user=member, raw="日銀")
    member.subscriptions.update(status=SubscriptionStatus.EXPIRED)
    lapsed = type(member).objects.get(pk=member.pk)

    with pytest.raises(KeywordRefused):
        registrations.require_permission(lapsed)
    assert registrations.member_keywords(lapsed)[0].label == "日銀"

    subscribe(lapsed, SubscriptionStatus.ACTIVE)
    again = type(member).objects.get(pk=member.pk)
    registrations.require_permission(again)
    assert [k.label for k in registrations.member_keywords(again)] == ["日銀"]


# --- the page -----------------------------------------------------------------------------


def test_guest_sees_the_promotion_and_the_gated_panel(client):
    response = client.get(PAGE)

    assert response.status_code == 401
    body = response.content.decode()
    assert PROMOTION in body
    assert GUEST_MESSAGE in body
    assert "ログイン" in body
    assert "no-store" in response["Cache-Control"]


def test_free_member_is_refused_in_the_papers_words(client):
    sign_in(client, "free_member")
    response = client.get(PAGE)
    assert response.status_code == 403
    assert FREE_MESSAGE in response.content.decode()
    assert client.post(PAGE, {"keyword": "日銀"}).status_code == 403
    assert not Keyword.objects.exists()


def test_member_registers_without_javascript_and_is_sent_back_to_the_list(client):
    user = sign_in(client, "active")

    response = client.post(PAGE, {"keyword": "日米同盟"}, follow=True)

    assert response.redirect_chain[-1][0] == PAGE
    body = response.content.decode()
    assert "「日米同盟」を登録しました。" in body
    assert 'class="keyword-list__label">日米同盟<' in body
    assert Follow.objects.filter(user=user, label="日米同盟").exists()


def test_member_registers_with_htmx_and_gets_the_area_back(client):
    sign_in(client, "active")

    response = client.post(PAGE, {"keyword": "半導体"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div class="keywords-area"')
    assert "<html" not in body
    assert "半導体" in body


def test_a_refused_word_keeps_what_was_typed_and_stores_nothing(client):
    sign_in(client, "active")
    too_long = "長" * 31

    response = client.post(PAGE, {"keyword": too_long})

    assert response.status_code == 400
    body = response.content.decode()
    assert "キーワードは30文字以内で入力してください。" in body
    assert f'value="{too_long}"' in body
    assert not Keyword.objects.exists()


def test_a_duplicate_through_htmx_says_so_in_place(client):
    sign_in(client, "active")
    client.post(PAGE, {"keyword": "USスチール"})

    response = client.post(PAGE, {"keyword": "ｕｓスチール"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    body = response.content.decode()
    assert "このキーワードは登録済みです。" in body
    assert 'value="ｕｓスチール"' in body
    assert Follow.objects.count() == 1


def test_markup_in_a_keyword_is_stored_as_text_and_shown_escaped(client):
    sign_in(client, "active")
    word = '<script>alert("x")</script>'

    client.post(PAGE, {"keyword": word})
    body = client.get(PAGE).content.decode()

    assert Follow.objects.get().label == word
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_member_removes_a_keyword_from_the_page(client):
    user = sign_in(client, "active")
    registered = register_keyword(user=user, raw="日銀")

    response = client.post(
        reverse("mynews:keyword-remove", args=[registered.id]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "キーワードを削除しました。" in response.content.decode()
    assert not Follow.objects.exists()


def test_a_database_failure_says_so_and_keeps_the_word(client):
    sign_in(client, "active")
    with mock.patch.object(registrations, "register_keyword", side_effect=DatabaseError):
        response = client.post(PAGE, {"keyword": "日銀"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 503
    body = response.content.decode()
    assert "エラー" in body
    assert "操作を実行できませんでした。時間を空けて再度お試しください。" in body
    assert 'value="日銀"' in body


def test_writes_need_the_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(PAGE, {"keyword": "日銀"}).status_code == 403
    assert not Keyword.objects.exists()


# --- the API ------------------------------------------------------------------------------


def _post(client, payload, **extra):
    return client.post(API, json.dumps(payload), content_type="application/json", **extra)


def test_api_guest_and_free_member_get_the_papers_words(client):
    response = client.get(API)
    assert response.status_code == 401
    assert response.json() == {"detail": GUEST_MESSAGE}

    sign_in(client, "free_member")
    response = _post(client, {"keyword": "日銀"})
    assert response.status_code == 403
    assert response.json() == {"detail": FREE_MESSAGE}


def test_api_register_list_and_remove(client):
    sign_in(client, "active")

    created = _post(client, {"keyword": "ＵＳスチール"})
    assert created.status_code == 201
    assert created.json()["keyword"] == "ＵＳスチール"
    assert created.json()["normalized"] == "usスチール"

    duplicate = _post(client, {"keyword": "USスチール"})
    assert duplicate.status_code == 400
    assert duplicate.json() == {"detail": "このキーワードは登録済みです。", "code": "duplicate"}

    listed = client.get(API)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["limit"] == 100
    assert "no-store" in listed["Cache-Control"]

    keyword_id = created.json()["id"]
    assert client.delete(f"{API}/{keyword_id}").status_code == 204
    assert client.delete(f"{API}/{keyword_id}").status_code == 404
    assert client.get(API).json()["count"] == 0


def test_api_writes_with_a_session_need_the_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = _post(client, {"keyword": "日銀"})

    assert response.status_code == 403
    assert not Keyword.objects.exists()
