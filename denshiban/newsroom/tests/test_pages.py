"""Reader pages: what they show, what they withhold, and what they cost in queries."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from denshiban.accounts.tests.factories import UserFactory
from denshiban.newsroom.models import ArticlePhoto
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    ReporterFactory,
    SeriesFactory,
    TopicFactory,
    add_article,
    add_section,
    paragraph,
)
from denshiban.think import selectors as think_selectors

pytestmark = pytest.mark.django_db

SECRET = "有料部分にだけ書かれた一文"


def _decorate(article, *, n: int) -> None:
    """Give an article n topics (each with a related topic), companies, reporters and photos."""
    topics = []
    for _ in range(n):
        topic = TopicFactory()
        topic.related_topics.add(TopicFactory())
        topics.append(topic)
    article.topics.set(topics)
    article.companies.set([CompanyFactory() for _ in range(n)])
    article.reporters.set([ReporterFactory() for _ in range(n)])
    article.save()
    for i in range(n):
        image = Image.objects.create(title=f"写真{i}", file=get_test_image_file())
        ArticlePhoto.objects.create(
            article=article, image=image, caption=f"キャプション{i}", sort_order=i
        )


def test_article_page_shows_headline_dateline_and_dates(client, site):
    reporter = ReporterFactory(name="佐藤健二")
    article = add_article(
        index=site["index"],
        section=site["section"],
        title="日米首脳、経済安保で連携確認",
        dateline="ワシントン",
        reporters=[reporter],
    )
    response = client.get(f"/article/{article.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="article-headline">日米首脳、経済安保で連携確認</h1>' in html
    assert "【ワシントン=" in html and "佐藤健二</a>】" in html
    local = timezone.localtime(article.first_published_at)
    assert f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}" in html
    assert "経済 最新情報はこちら" in html


def test_article_url_survives_a_headline_change(client, site):
    article = add_article(index=site["index"], section=site["section"], title="旧見出し")
    url = article.url
    article.title = "新しい見出し"
    article.save_revision().publish()
    assert article.url == url == f"/article/{article.pk}/"
    assert "新しい見出し" in client.get(url).content.decode()


def test_updated_article_shows_update_mark_and_time(client, site):
    published = timezone.now() - timedelta(hours=5)
    article = add_article(
        index=site["index"],
        section=site["section"],
        published_at=published,
        updated_at=published + timedelta(hours=3),
    )
    html = client.get(article.url).content.decode()
    assert "(更新)" in html


def test_typo_fix_without_update_time_shows_no_update_mark(client, site):
    article = add_article(index=site["index"], section=site["section"])
    article.title = "誤字を直した見出し"
    article.save_revision().publish()
    assert "(更新)" not in client.get(article.url).content.decode()


@pytest.mark.parametrize("level", ["member", "paid"])
def test_guest_gets_lead_only_of_restricted_article(client, site, level):
    article = add_article(
        index=site["index"], section=site["section"], access_level=level, body=[paragraph(SECRET)]
    )
    html = client.get(article.url).content.decode()
    assert article.lead in html
    assert SECRET not in html
    assert 'class="paywall"' in html


def test_guest_reads_free_article_in_full(client, site):
    article = add_article(index=site["index"], section=site["section"], body=[paragraph(SECRET)])
    html = client.get(article.url).content.decode()
    assert SECRET in html
    assert "article-paid-part" in html


def test_member_reads_member_article_but_not_paid_one(client, site, settings):
    settings.FREE_MEMBER_MONTHLY_ALLOWANCE = 0
    member = add_article(
        index=site["index"],
        section=site["section"],
        access_level="member",
        body=[paragraph(SECRET)],
    )
    paid = add_article(
        index=site["index"], section=site["section"], access_level="paid", body=[paragraph(SECRET)]
    )
    client.force_login(UserFactory())
    assert SECRET in client.get(member.url).content.decode()
    assert SECRET not in client.get(paid.url).content.decode()


def test_guest_article_response_is_public_and_member_response_private(client, site):
    article = add_article(index=site["index"], section=site["section"])
    guest = client.get(article.url)
    assert "public" in guest["Cache-Control"]
    client.force_login(UserFactory())
    member = client.get(article.url)
    assert "private" in member["Cache-Control"] and "no-store" in member["Cache-Control"]


def test_draft_article_is_not_served(client, site):
    article = add_article(index=site["index"], section=site["section"], live=False)
    assert client.get(f"/article/{article.pk}/").status_code == 404


def test_article_shows_topic_box_related_topics_and_companies(client, site):
    main = TopicFactory(name="トランプ政権", description="米国の政権運営を追う。")
    related = TopicFactory(name="日米関係")
    main.related_topics.add(related)
    company = CompanyFactory(name="架空自動車", securities_code="7299")
    article = add_article(
        index=site["index"], section=site["section"], topics=[main], companies=[company]
    )
    html = client.get(article.url).content.decode()
    assert "米国の政権運営を追う。" in html
    assert "関連トピック" in html and "日米関係" in html
    assert "関連企業・業界" in html and "架空自動車" in html and "7299" in html
    assert company.industry.name in html


def test_gallery_counts_its_photos(client, site):
    article = add_article(index=site["index"], section=site["section"])
    _decorate(article, n=2)
    html = client.get(article.url).content.decode()
    assert "1/2" in html and "2/2" in html


def test_series_article_links_to_series(client, site):
    series = SeriesFactory(name="円相場を読む", kind="column")
    article = add_article(index=site["index"], section=site["section"], series=series)
    html = client.get(article.url).content.decode()
    assert "コラム: 円相場を読む" in html


def _count_queries(client, url, django_assert_max_num_queries, limit):
    # Think! counts come from the shared cache once read: measure them read from the database.
    think_selectors.forget_cached()
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response, "a cached answer would count no queries"
    return len(captured.captured_queries)


def test_article_page_queries_do_not_grow_with_relations(
    client, site, django_assert_max_num_queries, settings
):
    settings.GUEST_PAGE_CACHE = False
    small = add_article(index=site["index"], section=site["section"])
    large = add_article(index=site["index"], section=site["section"])
    _decorate(small, n=1)
    _decorate(large, n=6)
    client.get(small.url)  # renditions are created on first view
    client.get(large.url)
    few = _count_queries(client, small.url, django_assert_max_num_queries, 20)
    many = _count_queries(client, large.url, django_assert_max_num_queries, 20)
    assert few == many


def test_section_page_queries_do_not_grow_with_articles(
    client, site, django_assert_max_num_queries, settings
):
    settings.GUEST_PAGE_CACHE = False
    other = add_section(home=site["home"], title="国際", slug="international", position=2)
    for _ in range(3):
        _decorate(add_article(index=site["index"], section=other), n=2)
    client.get("/international/")
    few = _count_queries(client, "/international/", django_assert_max_num_queries, 12)
    for _ in range(15):
        _decorate(add_article(index=site["index"], section=other), n=2)
    many = _count_queries(client, "/international/", django_assert_max_num_queries, 12)
    assert few == many


def test_home_page_lists_sections_and_top_stories(
    client, site, django_assert_max_num_queries, settings
):
    settings.GUEST_PAGE_CACHE = False
    add_section(home=site["home"], title="国際", slug="international", position=2)
    add_article(index=site["index"], section=site["section"], title="円安が一服")
    with django_assert_max_num_queries(20):
        html = client.get("/").content.decode()
    assert "円安が一服" in html
    assert "国際" in html and "経済 最新情報はこちら" in html


def test_section_page_paginates_latest(client, site):
    for i in range(25):
        add_article(
            index=site["index"],
            section=site["section"],
            title=f"記事{i:02d}",
            published_at=timezone.now() - timedelta(minutes=i + 1),
        )
    first = client.get("/economy/").content.decode()
    second = client.get("/economy/?page=2").content.decode()
    assert "記事00" in first and "記事24" not in first
    assert "記事24" in second
    assert "最新情報" in first


@pytest.mark.parametrize(
    ("factory", "url"),
    [
        (lambda: TopicFactory(slug="trump"), "/topic/trump/"),
        (lambda: SeriesFactory(slug="yen"), "/series/yen/"),
        (lambda: CompanyFactory(securities_code="7203"), "/company/7203/"),
        (lambda: ReporterFactory(slug="sato"), "/reporter/sato/"),
    ],
)
def test_entity_pages_list_their_articles(client, site, factory, url):
    entity = factory()
    article = add_article(index=site["index"], section=site["section"], title="関連する記事")
    relation = {"Topic": "topics", "Company": "companies", "Reporter": "reporters"}.get(
        type(entity).__name__
    )
    if relation:
        getattr(article, relation).set([entity])
    else:
        article.series = entity
    article.save()
    html = client.get(url).content.decode()
    assert "関連する記事" in html


def test_industry_page_lists_articles_about_its_companies(client, site):
    company = CompanyFactory()
    add_article(
        index=site["index"], section=site["section"], title="業界の記事", companies=[company]
    )
    html = client.get(company.industry.get_absolute_url()).content.decode()
    assert "業界の記事" in html and company.name in html


def test_unknown_page_gets_japanese_404(client, site):
    response = client.get("/topic/no-such-topic/")
    assert response.status_code == 404
    assert "お探しのページが見つかりません" in response.content.decode()


def test_server_error_page_is_japanese(rf):
    from denshiban.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "サーバーでエラーが発生しました" in response.content.decode()


def test_edited_topic_shows_at_once_on_an_article_already_read(client, site):
    topic = TopicFactory(name="日米関係", description="古い説明")
    article = add_article(index=site["index"], section=site["section"], topics=[topic])
    assert "古い説明" in client.get(article.url).content.decode()
    topic.description = "新しい説明"
    topic.save()
    assert "新しい説明" in client.get(article.url).content.decode()


def test_republished_relations_show_at_once(client, site):
    article = add_article(index=site["index"], section=site["section"])
    client.get(article.url)
    article.companies.set([CompanyFactory(name="新顔商事")])
    article.save_revision().publish()
    assert "新顔商事" in client.get(article.url).content.decode()


def test_unpublished_article_disappears_at_once(client, site):
    article = add_article(index=site["index"], section=site["section"])
    assert client.get(article.url).status_code == 200
    article.unpublish()
    assert client.get(f"/article/{article.pk}/").status_code == 404


def test_access_level_change_applies_at_once(client, site):
    article = add_article(index=site["index"], section=site["section"], body=[paragraph(SECRET)])
    assert SECRET in client.get(article.url).content.decode()
    article.access_level = "paid"
    article.save_revision().publish()
    assert SECRET not in client.get(article.url).content.decode()
