import pytest

from denshiban.access.models import MeteredRead
from denshiban.access.tests.factories import make_user
from denshiban.accounts.tests.factories import UserFactory

from .factories import ChartFactory

pytestmark = pytest.mark.django_db


def test_chart_page_shows_title_source_summary_and_data_table(client, add_article):
    chart = ChartFactory(title="訪日客数の推移", unit="万人", source="日本政府観光局")
    add_article(title="訪日客、過去最多に", charts=[chart], access_level="free")

    response = client.get(f"/charts/{chart.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>訪日客数の推移 | 図表 |" in html
    assert "出所: 日本政府観光局" in html
    assert '<table class="chart-table">' in html
    assert "2021年度から2024年度までの売上高を示す棒グラフで、" in html
    assert "この図表のページ" not in html


def test_chart_page_may_be_cached_for_guests(client):
    chart = ChartFactory()

    response = client.get(f"/charts/{chart.pk}/")

    assert "public" in response["Cache-Control"]


def test_unknown_chart_is_404(client):
    response = client.get("/charts/987654/")

    assert response.status_code == 404


def test_chart_page_lists_the_live_articles_that_embed_it(client, add_article):
    # Ids 7 and 77: a text search for chart 7 in the body JSON would also find chart 77.
    chart = ChartFactory(pk=7)
    other = ChartFactory(pk=77)
    using = add_article(title="円安で輸出企業の利益膨らむ", charts=[chart])
    add_article(title="別の図表を使う記事", charts=[other])
    add_article(title="図表のない記事", charts=[])
    add_article(title="下書きの記事", charts=[chart], live=False)

    html = client.get(f"/charts/{chart.pk}/").content.decode()

    assert f'href="{using.public_path}"' in html
    assert "円安で輸出企業の利益膨らむ" in html
    assert "別の図表を使う記事" not in html
    assert "図表のない記事" not in html
    assert "下書きの記事" not in html


def test_chart_page_shows_no_article_text_beyond_the_headline(client, add_article):
    chart = ChartFactory()
    add_article(title="有料記事の見出し", charts=[chart], text="有料会員だけが読める本文")

    html = client.get(f"/charts/{chart.pk}/").content.decode()

    assert "有料記事の見出し" in html
    assert "有料会員だけが読める本文" not in html


def test_article_that_drops_the_chart_leaves_the_list(client, add_article):
    client.force_login(UserFactory(is_staff=True))
    chart = ChartFactory()
    article = add_article(title="図表を外した記事", charts=[chart])
    article.body = [("paragraph", "<p>図表を外しました。</p>")]
    article.save()

    html = client.get(f"/charts/{chart.pk}/").content.decode()

    assert "図表を外した記事" not in html
    assert "この図表を使った記事はまだありません。" in html


def test_chart_page_queries_stay_fixed_however_many_articles(
    client, add_article, django_assert_max_num_queries
):
    chart = ChartFactory()
    for number in range(5):
        add_article(title=f"記事{number}", charts=[chart], access_level="free")

    # The chart, whether a guest may see it (the articles that show it), those articles, their
    # Think! counts and the running campaign offered in the save button's panel.
    with django_assert_max_num_queries(6):
        response = client.get(f"/charts/{chart.pk}/")

    assert response.content.decode().count('class="article-item"') == 5


def test_chart_of_a_paid_article_is_withheld_from_guests(client, add_article):
    chart = ChartFactory(title="有料記事だけの図表")
    add_article(title="有料記事", charts=[chart])

    response = client.get(f"/charts/{chart.pk}/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "有料記事だけの図表" not in html and "<svg" not in html
    assert "この図表は会員向けの記事に掲載されています" in html
    assert "有料記事" in html


def test_chart_of_a_paid_article_does_not_spend_a_free_members_allowance(client, add_article):
    chart = ChartFactory(title="有料記事だけの図表")
    add_article(title="有料記事", charts=[chart])
    client.force_login(UserFactory())

    assert client.get(f"/charts/{chart.pk}/").status_code == 403
    assert not MeteredRead.objects.exists()


def test_chart_of_a_paid_article_is_shown_to_a_paid_member(client, add_article):
    chart = ChartFactory(title="有料記事だけの図表")
    add_article(title="有料記事", charts=[chart])
    client.force_login(make_user("active"))

    response = client.get(f"/charts/{chart.pk}/")

    assert response.status_code == 200
    assert "有料記事だけの図表" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_chart_no_live_article_shows_is_for_editors_only(client):
    chart = ChartFactory(title="下書きの図表")

    assert client.get(f"/charts/{chart.pk}/").status_code == 403
    client.force_login(UserFactory(is_staff=True))
    assert client.get(f"/charts/{chart.pk}/").status_code == 200
