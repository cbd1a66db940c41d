"""FeedEntry follows publishing: publish → entries, republish with other relations → they
follow, unpublish or delete → gone; rebuild_feed fills and cleans the index."""

import pytest
from django.core.management import call_command

from denshiban.mynews import feed
from denshiban.mynews.models import FeedEntry, FollowKind, Keyword
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    IndustryFactory,
    SeriesFactory,
    TopicFactory,
    add_article,
)

pytestmark = pytest.mark.django_db


def entries(article):
    return set(
        FeedEntry.objects.filter(article=article).values_list("kind", "target_id", "published_at")
    )


def targets(article):
    return {(kind, target) for kind, target, _published in entries(article)}


def draft(site, **fields):
    return add_article(index=site["index"], section=site["section"], live=False, **fields)


def publish(article):
    article.save_revision().publish()
    article.refresh_from_db()
    return article


def test_publishing_writes_one_entry_per_topic_series_company_and_industry(site):
    topics = [TopicFactory(), TopicFactory()]
    series = SeriesFactory()
    maker = CompanyFactory()
    own_industry = IndustryFactory()
    article = publish(
        draft(site, topics=topics, companies=[maker], industries=[own_industry], series=series)
    )
    assert targets(article) == {
        (FollowKind.TOPIC, topics[0].pk),
        (FollowKind.TOPIC, topics[1].pk),
        (FollowKind.SERIES, series.pk),
        (FollowKind.COMPANY, maker.pk),
        # The company's industry too, as the industry page lists it.
        (FollowKind.INDUSTRY, maker.industry_id),
        (FollowKind.INDUSTRY, own_industry.pk),
    }
    assert {published for *_target, published in entries(article)} == {article.first_published_at}


def test_republishing_with_other_topics_moves_the_entries(site):
    old, kept, new = TopicFactory(), TopicFactory(), TopicFactory()
    article = publish(draft(site, topics=[old, kept]))
    first_published = article.first_published_at
    article.topics.set([kept, new])
    article.series = SeriesFactory()
    publish(article)
    assert targets(article) == {
        (FollowKind.TOPIC, kept.pk),
        (FollowKind.TOPIC, new.pk),
        (FollowKind.SERIES, article.series_id),
    }
    # The date stays the first publication's.
    assert {published for *_t, published in entries(article)} == {first_published}


def test_republishing_keeps_keyword_entries(site):
    topic = TopicFactory()
    article = publish(draft(site, topics=[topic]))
    keyword = Keyword.objects.create(text="利上げ")
    FeedEntry.objects.create(
        kind=FollowKind.KEYWORD,
        target_id=keyword.pk,
        article=article,
        published_at=article.first_published_at,
    )
    publish(article)
    assert (FollowKind.KEYWORD, keyword.pk) in targets(article)


def test_unpublishing_removes_every_entry(site):
    article = publish(draft(site, topics=[TopicFactory()], companies=[CompanyFactory()]))
    FeedEntry.objects.create(
        kind=FollowKind.KEYWORD,
        target_id=1,
        article=article,
        published_at=article.first_published_at,
    )
    assert entries(article)
    article.unpublish()
    assert not FeedEntry.objects.filter(article_id=article.pk).exists()


def test_deleting_an_article_deletes_its_entries(site):
    article = publish(draft(site, topics=[TopicFactory()]))
    article_id = article.pk
    article.delete()
    assert not FeedEntry.objects.filter(article_id=article_id).exists()


def test_rebuild_feed_fills_missing_entries_and_removes_strays(site):
    topic = TopicFactory()
    # add_article makes live rows without Wagtail's publish signal, as an import would.
    live = [
        add_article(index=site["index"], section=site["section"], topics=[topic]) for _ in range(3)
    ]
    hidden = draft(site, topics=[topic])
    FeedEntry.objects.create(
        kind=FollowKind.TOPIC,
        target_id=topic.pk,
        article=hidden,
        published_at=live[0].first_published_at,
    )
    call_command("rebuild_feed", chunk_size=2, stdout=open("/dev/null", "w"))
    assert set(FeedEntry.objects.values_list("article_id", flat=True)) == {a.pk for a in live}
    before = set(FeedEntry.objects.values_list("pk", flat=True))
    result = feed.rebuild()
    assert (result.created, result.deleted) == (0, 0)
    assert set(FeedEntry.objects.values_list("pk", flat=True)) == before


def test_sync_uses_a_fixed_number_of_queries(site, django_assert_max_num_queries):
    articles = [
        add_article(
            index=site["index"],
            section=site["section"],
            topics=[TopicFactory(), TopicFactory()],
            companies=[CompanyFactory()],
        )
        for _ in range(6)
    ]
    with django_assert_max_num_queries(12):
        result = feed.sync_entries([a.pk for a in articles])
    assert result.created == 6 * 4


def test_an_experts_followers_get_the_articles_the_expert_comments_on(
    site, django_capture_on_commit_callbacks
):
    """Issue 6: a followed expert's comments bring their articles into Myニュース."""
    from django.utils import timezone

    from denshiban.access.tests.factories import make_user
    from denshiban.mynews.follows import follow, mynews_page
    from denshiban.think.tests.factories import CommentFactory, ExpertFactory

    member = make_user("active")
    expert = ExpertFactory()
    article = add_article(index=site["index"], section=site["section"])
    follow(user=member, kind=FollowKind.EXPERT, target_id=expert.pk)
    assert mynews_page(user=member).items == []

    with django_capture_on_commit_callbacks(execute=True):
        comment = CommentFactory(expert=expert, article=article, created_at=timezone.now())
    page = mynews_page(user=member)
    assert [item.article.pk for item in page.items] == [article.pk]
    assert [label.kind for label in page.items[0].labels] == [FollowKind.EXPERT]

    # Hidden by an editor: the article leaves the expert's followers' Myニュース.
    with django_capture_on_commit_callbacks(execute=True):
        comment.hidden_at = timezone.now()
        comment.save()
    assert mynews_page(user=member).items == []
    # Restored, then the article is unpublished and published again: it comes back.
    with django_capture_on_commit_callbacks(execute=True):
        comment.hidden_at = None
        comment.save()
    article.unpublish()
    assert not FeedEntry.objects.filter(article=article).exists()
    publish(article)
    assert (FollowKind.EXPERT, expert.pk) in targets(article)
