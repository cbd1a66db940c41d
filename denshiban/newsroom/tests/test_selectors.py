from datetime import timedelta

import pytest
from django.utils import timezone

from denshiban.newsroom import selectors
from denshiban.newsroom.models import HomeTopStory
from denshiban.newsroom.tests.factories import TopicFactory, add_article, add_section

pytestmark = pytest.mark.django_db


def _at(hours_ago: float):
    return timezone.now() - timedelta(hours=hours_ago)


def test_article_list_is_newest_first_and_live_only(site):
    old = add_article(index=site["index"], section=site["section"], published_at=_at(5))
    new = add_article(index=site["index"], section=site["section"], published_at=_at(1))
    add_article(index=site["index"], section=site["section"], live=False)
    assert list(selectors.article_list()) == [new, old]


def test_home_top_stories_follow_the_editors_order_then_fill_with_latest(site):
    a = add_article(index=site["index"], section=site["section"], published_at=_at(9))
    b = add_article(index=site["index"], section=site["section"], published_at=_at(8))
    c = add_article(index=site["index"], section=site["section"], published_at=_at(1))
    HomeTopStory.objects.create(home=site["home"], article=a, sort_order=0)
    HomeTopStory.objects.create(home=site["home"], article=b, sort_order=1)
    context = selectors.home_page_context(home=site["home"])
    assert context["top_stories"][:3] == [a, b, c]


def test_home_blocks_follow_section_order(site):
    add_section(home=site["home"], title="政治・外交", slug="politics", position=0)
    context = selectors.home_page_context(home=site["home"])
    assert [block["section"].slug for block in context["section_blocks"]] == [
        "politics",
        "economy",
    ]


def test_related_topics_exclude_the_articles_own_and_repeat_nothing(db):
    trump, alliance, tariffs = TopicFactory(), TopicFactory(), TopicFactory()
    trump.related_topics.add(alliance, tariffs)
    alliance.related_topics.add(tariffs)
    loaded = list(
        type(trump)
        .objects.filter(pk__in=[trump.pk, alliance.pk])
        .prefetch_related("related_topics")
    )
    assert selectors.related_topics(loaded) == [tariffs]


def test_live_article_is_none_for_a_draft(site):
    draft = add_article(index=site["index"], section=site["section"], live=False)
    assert selectors.live_article(draft.pk) is None


def test_nav_sections_are_forgotten_when_a_section_is_published(site):
    assert [s.slug for s in selectors.nav_sections()] == ["economy"]
    politics = add_section(home=site["home"], title="政治・外交", slug="politics", position=0)
    politics.save_revision().publish()
    assert [s.slug for s in selectors.nav_sections()] == ["politics", "economy"]
