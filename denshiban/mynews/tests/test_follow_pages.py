"""Follow buttons on topic, series, company and industry pages (and articles, once wired):
a guest's page stays storable in the shared cache and the same for every guest; a
member's page carries the member's state."""

import pytest
from django.test import Client

from denshiban.access.tests.factories import sign_in
from denshiban.core.pagecache import CACHE_HEADER
from denshiban.mynews import follows
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    IndustryFactory,
    SeriesFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def pages():
    topic, series = TopicFactory(), SeriesFactory()
    company, industry = CompanyFactory(), IndustryFactory()
    return [
        ("topic", topic, topic.get_absolute_url()),
        ("series", series, series.get_absolute_url()),
        ("company", company, company.get_absolute_url()),
        ("industry", industry, industry.get_absolute_url()),
    ]


def test_guest_pages_carry_the_gated_button_and_are_still_cached(client, site):
    for kind, _target, url in pages():
        first = client.get(url)
        assert first.status_code == 200, url
        html = first.content.decode()
        assert 'class="gated-button' in html and "有料会員の方のみご利用になれます。" in html
        assert "csrfmiddlewaretoken" not in html
        assert first[CACHE_HEADER] == "miss", url
        second = client.get(url)
        assert second[CACHE_HEADER] == "hit", url
        assert second.content == first.content
        assert not client.cookies, "a guest's page must set no cookie"
        explanation = "トピックをフォローすると" if kind == "topic" else "気になる連載・コラム"
        assert explanation in html


def test_member_pages_show_the_members_state_and_are_never_stored(client, site):
    user = sign_in(client, "active")
    listed = pages()
    for kind, target, _url in listed[:2]:
        follows.follow(user=user, kind=kind, target_id=target.pk)
    for index, (_kind, _target, url) in enumerate(listed):
        response = client.get(url)
        html = response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert CACHE_HEADER not in response
        assert "csrfmiddlewaretoken" in html
        if index < 2:
            assert 'aria-pressed="true"' in html and "フォロー中" in html, url
        else:
            assert 'aria-pressed="false"' in html and "フォローする" in html, url
    # A guest after the member still gets the shared guest page, never the member's.
    guest = Client()
    assert "フォロー中" not in guest.get(listed[0][2]).content.decode()


def test_header_links_to_myニュース_for_paid_members_only(client, site):
    assert "/mynews/" not in client.get("/topic/" + TopicFactory().slug + "/").content.decode()
    sign_in(client, "free_member")
    assert 'href="/mynews/"' not in client.get("/").content.decode()
    sign_in(client, "active")
    assert 'href="/mynews/"' in client.get("/").content.decode()


def test_article_topic_box_and_related_boxes_carry_follow_buttons(client, site):
    from denshiban.newsroom.tests.factories import add_article

    main, other = TopicFactory(name="日米関係"), TopicFactory(name="通商政策")
    company = CompanyFactory(name="架空鉄鋼")
    made = add_article(
        index=site["index"], section=site["section"], topics=[main, other], companies=[company]
    )
    guest_html = client.get(made.url).content.decode()
    topic_box = guest_html.split('class="topic-box"')[1].split("</section>")[0]
    assert (
        "トピックをフォローすると、新着情報のチェックやまとめ読みがしやすくなります。" in topic_box
    )
    # main topic, the other topic, the company and its industry
    assert guest_html.count('<div class="follow-button') == 4
    user = sign_in(client, "active")
    follows.follow(user=user, kind="topic", target_id=main.pk)
    member_html = client.get(made.url).content.decode()
    topic_box = member_html.split('class="topic-box"')[1].split("</section>")[0]
    assert "フォロー中" in topic_box
    for kind, target in (("topic", other.pk), ("company", company.pk)):
        assert f'data-kind="{kind}" data-target="{target}"' in member_html


def test_experts_can_be_followed_from_their_page(client, site):
    from denshiban.think.tests.factories import ExpertFactory

    expert = ExpertFactory(name="佐藤一郎")
    url = expert.get_absolute_url()
    assert 'class="gated-button' in client.get(url).content.decode()
    user = sign_in(client, "active")
    response = client.post(
        "/mynews/follow/",
        {"kind": "expert", "target": expert.pk, "next": url},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "フォロー中" in response.content.decode()
    assert "フォロー中" in client.get(url).content.decode()
    named = follows.named_follows(follows.member_follows(user))
    assert [(item.kind, item.name, item.url) for item in named] == [("expert", "佐藤一郎", url)]
