"""記事を保存する / 図表を保存する: services, buttons, the saved pages and the API."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from denshiban.access.tests.factories import make_user, sign_in, subscribe
from denshiban.billing.models import SubscriptionStatus
from denshiban.charts.tests.factories import ChartFactory
from denshiban.mynews import saving
from denshiban.mynews.models import SavedArticle, SavedChart
from denshiban.newsroom.tests.factories import add_article, paragraph

pytestmark = pytest.mark.django_db

GUEST_MESSAGE = "有料会員の方のみご利用になれます。"
FREE_MESSAGE = "権限不足のため、保存できません"
ARTICLE_EXPLANATION = "保存した記事はスマホやタブレットでもご覧いただけます。"
CHART_EXPLANATION = "保存した図表はスマホやタブレットでもご覧いただけます。"
FAILURE = "操作を実行できませんでした。時間を空けて再度お試しください。"
ARTICLES_PAGE = "/mynews/saved/articles/"
CHARTS_PAGE = "/mynews/saved/charts/"


@pytest.fixture
def article(site):
    return add_article(index=site["index"], section=site["section"], title="日銀が利上げ")


def with_chart(site, chart, **fields):
    body = [paragraph("本文。"), ("chart", {"chart": chart})]
    return add_article(index=site["index"], section=site["section"], body=body, **fields)


def save_url(article_id):
    return reverse("mynews:save-article", args=[article_id])


def remove_url(article_id):
    return reverse("mynews:unsave-article", args=[article_id])


# --- services -----------------------------------------------------------------------------


def test_saving_twice_keeps_one_save(article):
    member = make_user("active")
    first = saving.save_article(user=member, article_id=article.pk)
    again = saving.save_article(user=member, article_id=article.pk)
    assert first.pk == again.pk
    assert SavedArticle.objects.count() == 1


def test_a_draft_or_unknown_article_cannot_be_saved(site):
    member = make_user("active")
    draft = add_article(index=site["index"], section=site["section"], live=False)
    for article_id in (draft.pk, 987654):
        with pytest.raises(saving.SaveTargetNotFound):
            saving.save_article(user=member, article_id=article_id)
    assert not SavedArticle.objects.exists()


@pytest.mark.parametrize("role", ["free_member", "lapsed"])
def test_free_and_lapsed_members_may_not_save(article, role):
    with pytest.raises(saving.SaveRefused) as refused:
        saving.save_article(user=make_user(role), article_id=article.pk)
    assert refused.value.permission.status == 403
    assert refused.value.permission.message == FREE_MESSAGE


def test_a_chart_no_live_article_shows_cannot_be_saved(site):
    member = make_user("active")
    orphan = ChartFactory()
    with pytest.raises(saving.SaveTargetNotFound):
        saving.save_chart(user=member, chart_id=orphan.pk)
    shown = ChartFactory()
    with_chart(site, shown)
    saving.save_chart(user=member, chart_id=shown.pk)
    assert SavedChart.objects.get().chart == shown


def test_removing_touches_only_the_members_own_saves(article):
    member, other = make_user("active"), make_user("active")
    saving.save_article(user=other, article_id=article.pk)

    saving.unsave_article(user=member, article_id=article.pk)

    assert SavedArticle.objects.get().user == other


# --- the button on the article and on charts ----------------------------------------------


def test_guest_gets_the_gated_save_button_and_the_page_stays_cacheable(client, site):
    chart = ChartFactory()
    article = with_chart(site, chart)

    response = client.get(article.url)

    body = response.content.decode()
    assert "public" in response["Cache-Control"]
    assert 'data-feature="save-article"' in body and ARTICLE_EXPLANATION in body
    assert 'data-feature="save-chart"' in body and CHART_EXPLANATION in body
    assert GUEST_MESSAGE in body
    assert "csrfmiddlewaretoken" not in body


def test_free_member_sees_the_refusal_in_the_button(client, article):
    sign_in(client, "free_member")
    body = client.get(article.url).content.decode()
    assert 'data-feature="save-article"' in body
    assert FREE_MESSAGE in body


def test_paid_member_saves_with_htmx_and_sees_saved_at_once(client, article):
    user = sign_in(client, "active")
    body = client.get(article.url).content.decode()
    assert "記事を保存する" in body and f'action="{save_url(article.pk)}"' in body

    response = client.post(save_url(article.pk), {"next": article.url}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    answer = response.content.decode()
    assert answer.startswith('<div class="save-button')
    assert "保存済み" in answer and f'action="{remove_url(article.pk)}"' in answer
    assert SavedArticle.objects.filter(user=user, article=article).exists()
    assert "保存済み" in client.get(article.url).content.decode()


def test_without_javascript_saving_redirects_back_to_the_article(client, article):
    sign_in(client, "active")
    response = client.post(save_url(article.pk), {"next": article.url})
    assert response.status_code == 302
    assert response["Location"] == article.url


def test_a_next_to_another_site_is_not_followed(client, article):
    sign_in(client, "active")
    response = client.post(save_url(article.pk), {"next": "https://evil.example/"})
    assert response["Location"] == ARTICLES_PAGE


def test_guest_pressing_save_gets_the_panel_and_nothing_is_stored(client, article):
    response = client.post(save_url(article.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    body = response.content.decode()
    assert GUEST_MESSAGE in body and ARTICLE_EXPLANATION in body and "ログイン" in body
    assert not SavedArticle.objects.exists()


def test_free_member_pressing_save_is_refused_with_403(client, article):
    sign_in(client, "free_member")
    response = client.post(save_url(article.pk))
    assert response.status_code == 403
    assert FREE_MESSAGE in response.content.decode()
    assert not SavedArticle.objects.exists()


def test_a_failure_says_so_and_keeps_the_state(client, article):
    sign_in(client, "active")
    with mock.patch.object(saving, "save_article", side_effect=DatabaseError):
        response = client.post(save_url(article.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    body = response.content.decode()
    assert "エラー" in body and FAILURE in body
    assert "記事を保存する" in body


def test_saving_an_unpublished_or_unknown_article_is_404(client, site):
    sign_in(client, "active")
    draft = add_article(index=site["index"], section=site["section"], live=False)
    assert client.post(save_url(draft.pk)).status_code == 404
    assert client.post(save_url(987654)).status_code == 404
    chart_url = reverse("mynews:save-chart", args=[ChartFactory().pk])
    assert client.post(chart_url).status_code == 404
    assert not SavedArticle.objects.exists()
    assert not SavedChart.objects.exists()


def test_saving_needs_the_csrf_token(article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("active"))
    assert client.post(save_url(article.pk)).status_code == 403
    assert not SavedArticle.objects.exists()


def test_paid_member_saves_a_chart_from_the_article(client, site):
    user = sign_in(client, "active")
    chart = ChartFactory(title="輸出額の推移")
    article = with_chart(site, chart)
    body = client.get(article.url).content.decode()
    save_chart = reverse("mynews:save-chart", args=[chart.pk])
    assert "図表を保存する" in body and f'action="{save_chart}"' in body

    response = client.post(save_chart, {"compact": "1"}, HTTP_HX_REQUEST="true")

    assert "保存済み" in response.content.decode()
    assert SavedChart.objects.filter(user=user, chart=chart).exists()


def test_the_chart_page_carries_the_save_button(client, site):
    sign_in(client, "active")
    chart = ChartFactory()
    with_chart(site, chart)
    body = client.get(chart.get_absolute_url()).content.decode()
    assert f'action="{reverse("mynews:save-chart", args=[chart.pk])}"' in body


# --- the saved pages ----------------------------------------------------------------------


def test_saved_articles_page_lists_newest_first_and_leaves_out_unpublished(client, site):
    user = sign_in(client, "active")
    first = add_article(index=site["index"], section=site["section"], title="最初に保存")
    second = add_article(index=site["index"], section=site["section"], title="次に保存")
    gone = add_article(index=site["index"], section=site["section"], title="取り下げ")
    for article in (first, second, gone):
        saving.save_article(user=user, article_id=article.pk)
    gone.unpublish()

    response = client.get(ARTICLES_PAGE)

    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert body.index("次に保存") < body.index("最初に保存")
    assert "取り下げ" not in body
    assert f'action="{remove_url(first.pk)}"' in body


def test_saved_articles_are_paginated(client, site):
    user = sign_in(client, "active")
    for number in range(saving.SAVED_PER_PAGE + 1):
        article = add_article(index=site["index"], section=site["section"], title=f"記事{number}")
        saving.save_article(user=user, article_id=article.pk)
    first = client.get(ARTICLES_PAGE).content.decode()
    second = client.get(ARTICLES_PAGE + "?page=2").content.decode()
    assert first.count('class="article-item saved-item"') == saving.SAVED_PER_PAGE
    assert second.count('class="article-item saved-item"') == 1
    assert 'rel="next"' in first


def test_removing_from_the_list_with_htmx_removes_the_item(client, article):
    user = sign_in(client, "active")
    saving.save_article(user=user, article_id=article.pk)
    response = client.post(remove_url(article.pk), {"from_list": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""
    assert not SavedArticle.objects.exists()


def test_saved_charts_page_draws_the_charts_and_hides_unreadable_ones(client, site):
    user = sign_in(client, "active")
    drawn = ChartFactory(title="描かれる図表")
    with_chart(site, drawn)
    withdrawn = ChartFactory(title="取り下げられた図表")
    article = with_chart(site, withdrawn)
    saving.save_chart(user=user, chart_id=drawn.pk)
    saving.save_chart(user=user, chart_id=withdrawn.pk)
    article.unpublish()

    body = client.get(CHARTS_PAGE).content.decode()

    assert body.count("<svg") == 1
    assert "描かれる図表" in body
    assert "取り下げられた図表" in body
    assert "この図表を掲載した記事は、現在お読みいただけません。" in body
    assert body.index("取り下げられた図表") < body.index("描かれる図表")
    # Each chart has one remove button; the figure's own save button is left out.
    assert body.count("saved-item__remove") == 2
    assert 'data-save="chart"' not in body


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [("guest", 401, GUEST_MESSAGE), ("free_member", 403, FREE_MESSAGE)],
)
@pytest.mark.parametrize("page", [ARTICLES_PAGE, CHARTS_PAGE])
def test_saved_pages_refuse_guests_and_free_members(client, site, role, status, message, page):
    sign_in(client, role)
    response = client.get(page)
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_lapsed_member_keeps_saves_and_sees_them_again_after_resubscribing(client, site):
    member = sign_in(client, "active")
    article = add_article(index=site["index"], section=site["section"], title="残る記事")
    chart = ChartFactory(title="残る図表")
    with_chart(site, chart)
    saving.save_article(user=member, article_id=article.pk)
    saving.save_chart(user=member, chart_id=chart.pk)

    member.subscriptions.update(status=SubscriptionStatus.EXPIRED)
    for page in (ARTICLES_PAGE, CHARTS_PAGE):
        refused = client.get(page)
        assert refused.status_code == 403
        assert FREE_MESSAGE in refused.content.decode()
        assert "残る" not in refused.content.decode()
    assert SavedArticle.objects.filter(user=member).exists()
    assert SavedChart.objects.filter(user=member).exists()

    subscribe(member, SubscriptionStatus.ACTIVE)
    assert "残る記事" in client.get(ARTICLES_PAGE).content.decode()
    assert "残る図表" in client.get(CHARTS_PAGE).content.decode()


# --- query counts -------------------------------------------------------------------------


def _save_many(user, site, count):
    for number in range(count):
        chart = ChartFactory(title=f"図表{number}")
        article = with_chart(site, chart, title=f"記事{number}", access_level="paid")
        saving.save_article(user=user, article_id=article.pk)
        saving.save_chart(user=user, chart_id=chart.pk)


@pytest.mark.parametrize("page", [ARTICLES_PAGE, CHARTS_PAGE])
def test_saved_pages_take_as_many_queries_for_twenty_items_as_for_one(
    client, site, settings, django_assert_num_queries, page
):
    settings.GUEST_PAGE_CACHE = False
    user = sign_in(client, "active")
    _save_many(user, site, 1)
    client.get(page)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(page)
    _save_many(user, site, 19)

    with django_assert_num_queries(len(one.captured_queries)):
        client.get(page)


def test_save_buttons_cost_two_queries_however_many_charts_an_article_has(
    client, site, settings, django_assert_num_queries
):
    settings.GUEST_PAGE_CACHE = False
    sign_in(client, "active")
    one = with_chart(site, ChartFactory())
    body = [paragraph("本文。")] + [("chart", {"chart": ChartFactory()}) for _ in range(5)]
    five = add_article(index=site["index"], section=site["section"], body=body)
    client.get(one.url)
    client.get(five.url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as with_one:
        client.get(one.url)
    with django_assert_num_queries(len(with_one.captured_queries)):
        client.get(five.url)
    saved_queries = [q["sql"] for q in with_one.captured_queries if "mynews_saved" in q["sql"]]
    assert len(saved_queries) == 2


# --- the API ------------------------------------------------------------------------------


def _post(client, path, payload, **extra):
    return client.post(path, json.dumps(payload), content_type="application/json", **extra)


def test_api_guest_and_free_member_get_the_papers_words(client, article):
    response = client.get("/api/v1/saved/articles")
    assert (response.status_code, response.json()) == (401, {"detail": GUEST_MESSAGE})

    sign_in(client, "free_member")
    response = _post(client, "/api/v1/saved/articles", {"article_id": article.pk})
    assert (response.status_code, response.json()) == (403, {"detail": FREE_MESSAGE})
    assert not SavedArticle.objects.exists()


def test_api_saves_lists_and_removes_articles(client, article):
    sign_in(client, "active")

    created = _post(client, "/api/v1/saved/articles", {"article_id": article.pk})
    assert created.status_code == 201
    assert created.json()["id"] == article.pk
    assert _post(client, "/api/v1/saved/articles", {"article_id": 987654}).status_code == 404

    listed = client.get("/api/v1/saved/articles")
    assert listed.status_code == 200
    assert "no-store" in listed["Cache-Control"]
    data = listed.json()
    assert data["count"] == 1
    assert data["items"][0]["article_id"] == article.pk
    assert data["items"][0]["headline"] == "日銀が利上げ"

    assert client.delete(f"/api/v1/saved/articles/{article.pk}").status_code == 204
    assert client.get("/api/v1/saved/articles").json()["count"] == 0


def test_api_saves_and_lists_charts_with_their_data_only_while_visible(client, site):
    sign_in(client, "active")
    chart = ChartFactory(title="輸出額")
    article = with_chart(site, chart)

    assert _post(client, "/api/v1/saved/charts", {"chart_id": chart.pk}).status_code == 201
    item = client.get("/api/v1/saved/charts").json()["items"][0]
    assert item["visible"] is True
    assert item["chart"]["data"]["labels"]

    article.unpublish()
    item = client.get("/api/v1/saved/charts").json()["items"][0]
    assert item["visible"] is False
    assert item["chart"] is None
    assert item["title"] == "輸出額"

    assert client.delete(f"/api/v1/saved/charts/{chart.pk}").status_code == 204
    assert not SavedChart.objects.exists()


def test_api_a_failure_answers_503_with_the_papers_words(client, article):
    sign_in(client, "active")
    with mock.patch.object(saving, "save_article", side_effect=DatabaseError):
        response = _post(client, "/api/v1/saved/articles", {"article_id": article.pk})
    assert response.status_code == 503
    assert response.json() == {"title": "エラー", "detail": FAILURE}


def test_api_writes_with_a_session_need_the_csrf_token(article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("active"))
    response = _post(client, "/api/v1/saved/articles", {"article_id": article.pk})
    assert response.status_code == 403
    assert not SavedArticle.objects.exists()
