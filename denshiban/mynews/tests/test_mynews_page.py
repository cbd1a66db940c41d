"""The Myニュース page: what the member follows, newest first, labelled, tabbed, paginated,
with NEW since the last visit, in a number of queries that does not grow with follows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from denshiban.access.tests.factories import sign_in
from denshiban.mynews import feed, follows
from denshiban.mynews.models import FeedEntry, Follow, FollowKind, Keyword, MyNewsVisit
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    SeriesFactory,
    TopicFactory,
    add_article,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.GUEST_PAGE_CACHE = False


def article(site, *, hours_ago, **relations):
    made = add_article(
        index=site["index"],
        section=site["section"],
        title=f"記事{hours_ago}",
        published_at=timezone.now() - timedelta(hours=hours_ago),
        **relations,
    )
    feed.sync_entries([made.pk])
    return made


def follow(user, kind, target):
    return follows.follow(user=user, kind=kind, target_id=target.pk)


def headlines(html):
    return [
        line.split("記事")[1].split("<")[0] for line in html.split('article-item__headline">')[1:]
    ]


def test_guest_gets_the_gated_panel_with_401(client):
    response = client.get("/mynews/")
    assert response.status_code == 401
    html = response.content.decode()
    assert "有料会員の方のみご利用になれます。" in html
    assert (
        "気になる連載・コラム・キーワードをフォローすると、「Myニュース」でまとめよみができます。"
        in html
    )
    assert "/accounts/login/?next=/mynews/" in html


def test_free_member_gets_403_with_the_message(client):
    sign_in(client, "free_member")
    response = client.get("/mynews/")
    assert response.status_code == 403
    assert "権限不足のため、フォローできません" in response.content.decode()


def test_articles_of_everything_followed_newest_first_with_their_reasons(client, site):
    user = sign_in(client, "active")
    topic, series = TopicFactory(name="半導体"), SeriesFactory(name="経済教室")
    maker = CompanyFactory(name="架空電機")
    follow(user, "topic", topic)
    follow(user, "series", series)
    follow(user, "company", maker)
    article(site, hours_ago=5, topics=[topic])
    article(site, hours_ago=1, series=series, companies=[maker])
    article(site, hours_ago=3, topics=[topic], companies=[maker])
    article(site, hours_ago=2, topics=[TopicFactory()])  # not followed
    response = client.get("/mynews/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    html = response.content.decode()
    assert headlines(html) == ["1", "3", "5"]
    first, second, _third = html.split('class="article-item mynews-item"')[1:]
    assert "連載・コラム「経済教室」" in first and "企業「架空電機」" in first
    assert "トピック「半導体」" in second and "企業「架空電機」" in second
    assert "トピック「半導体」" not in first


def test_keyword_labels_show_the_word_as_typed(client, site):
    user = sign_in(client, "active")
    keyword = Keyword.objects.create(text="usスチール")
    Follow.objects.create(user=user, kind="keyword", target_id=keyword.pk, label="ＵＳスチール")
    made = article(site, hours_ago=1)
    FeedEntry.objects.create(
        kind="keyword", target_id=keyword.pk, article=made, published_at=made.first_published_at
    )
    assert "キーワード「ＵＳスチール」" in client.get("/mynews/").content.decode()


def test_a_tab_narrows_to_one_follow(client, site):
    user = sign_in(client, "active")
    one, two = TopicFactory(name="金利"), TopicFactory(name="為替")
    follow(user, "topic", one)
    chosen = follow(user, "topic", two)
    article(site, hours_ago=1, topics=[one])
    article(site, hours_ago=2, topics=[two])
    html = client.get(f"/mynews/?follow={chosen.pk}").content.decode()
    assert headlines(html) == ["2"]
    assert (
        f'href="/mynews/?follow={chosen.pk}" title="トピック「為替」" aria-current="page"' in html
    )


def test_another_members_follow_is_not_a_tab(client, site):
    other = sign_in(type(client)(), "active")
    theirs = follow(other, "topic", TopicFactory())
    sign_in(client, "active")
    assert client.get(f"/mynews/?follow={theirs.pk}").status_code == 404
    assert client.get("/mynews/?follow=abc").status_code == 404


def test_new_marks_what_was_published_since_the_previous_visit(client, site):
    user = sign_in(client, "active")
    topic = TopicFactory()
    follow(user, "topic", topic)
    article(site, hours_ago=10, topics=[topic])
    # First visit: nothing to compare with, so nothing is NEW.
    assert "mynews-new" not in client.get("/mynews/").content.decode()
    MyNewsVisit.objects.filter(user=user).update(seen_at=timezone.now() - timedelta(hours=5))
    article(site, hours_ago=1, topics=[topic])
    html = client.get("/mynews/").content.decode()
    assert html.count('class="mynews-new"') == 1
    assert html.index("mynews-new") < html.index("記事10")
    visit = MyNewsVisit.objects.get(user=user)
    assert visit.previous_seen_at < visit.seen_at
    # Reading page 2 or a tab is not a new visit: the marks stay.
    assert client.get("/mynews/?page=2").status_code == 200
    assert MyNewsVisit.objects.get(user=user).seen_at == visit.seen_at


def test_twenty_per_page(client, site):
    user = sign_in(client, "active")
    topic = TopicFactory()
    follow(user, "topic", topic)
    for hours in range(1, 24):
        article(site, hours_ago=hours, topics=[topic])
    first = client.get("/mynews/").content.decode()
    assert headlines(first) == [str(h) for h in range(1, 21)]
    assert 'rel="next" href="?page=2"' in first
    second = client.get("/mynews/?page=2").content.decode()
    assert headlines(second) == ["21", "22", "23"]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_unpublished_articles_leave_myニュース(client, site):
    user = sign_in(client, "active")
    topic = TopicFactory()
    follow(user, "topic", topic)
    gone = article(site, hours_ago=1, topics=[topic])
    gone.save_revision().publish()
    gone.unpublish()
    article(site, hours_ago=2, topics=[topic])
    assert headlines(client.get("/mynews/").content.decode()) == ["2"]


def test_empty_state_suggests_topics_to_follow(client, site):
    sign_in(client, "active")
    TopicFactory(name="生成AI")
    html = client.get("/mynews/").content.decode()
    assert "フォローして、あなたのMyニュースをつくりましょう" in html
    assert "生成AI" in html and 'action="/mynews/follow/"' in html


def test_follows_page_lists_what_is_followed_with_unfollow_buttons(client):
    user = sign_in(client, "active")
    follow(user, "topic", TopicFactory(name="円相場"))
    follow(user, "company", CompanyFactory(name="架空商事"))
    html = client.get("/mynews/follows/").content.decode()
    assert "円相場" in html and "架空商事" in html
    assert html.count('action="/mynews/unfollow/"') == 2


def _count_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/mynews/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_queries_do_not_grow_with_the_number_of_follows(client, site, django_assert_num_queries):
    user = sign_in(client, "active")
    topics = [TopicFactory() for _ in range(50)]
    for hours in range(1, 6):
        article(site, hours_ago=hours, topics=topics[:3])
    follow(user, "topic", topics[0])
    client.get("/mynews/")  # the visit row exists from now on, as for any returning member
    one, html = _count_queries(client)
    assert len(headlines(html)) == 5
    for target in topics[1:]:
        follow(user, "topic", target)
    assert Follow.objects.filter(user=user).count() == 50
    with django_assert_num_queries(one):
        response = client.get("/mynews/")
    assert len(headlines(response.content.decode())) == 5


def test_each_kind_adds_at_most_one_query_for_its_names(client, site):
    user = sign_in(client, "active")
    topics = [TopicFactory() for _ in range(20)]
    companies = [CompanyFactory() for _ in range(20)]
    series = [SeriesFactory() for _ in range(10)]
    for hours in range(1, 6):
        article(site, hours_ago=hours, topics=topics[:3], companies=companies[:2], series=series[0])
    follow(user, "topic", topics[0])
    client.get("/mynews/")
    one, _html = _count_queries(client)
    for target in topics[1:]:
        follow(user, "topic", target)
    for target in companies:
        follow(user, "company", target)
    for target in series:
        follow(user, "series", target)
    fifty, html = _count_queries(client)
    assert len(headlines(html)) == 5
    assert "トピック" in html and "企業" in html and "連載・コラム" in html
    assert fifty == one + 2  # the names of companies and of series; nothing per follow


def test_the_union_is_nested_when_there_are_many_follows(site, monkeypatch):
    from denshiban.access.tests.factories import make_user

    user = make_user("active")
    topics = [TopicFactory() for _ in range(7)]
    for index, topic in enumerate(topics):
        follow(user, "topic", topic)
        article(site, hours_ago=index + 1, topics=[topic, topics[0]])
    monkeypatch.setattr(follows, "UNION_CHUNK", 3)
    rows = follows.feed_rows(follows.member_follows(user), offset=0, limit=20)
    assert len(rows) == 7
    assert [r.published_at for r in rows] == sorted((r.published_at for r in rows), reverse=True)
    first_follow = Follow.objects.get(user=user, target_id=topics[0].pk).pk
    assert all(first_follow in r.follow_ids for r in rows)
    assert sum(len(r.follow_ids) for r in rows) == 13
    assert {FollowKind.TOPIC} == set(Follow.objects.values_list("kind", flat=True))
