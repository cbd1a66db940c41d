"""The editorial admin: editors write, preview, publish and are told what is missing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Revision

from denshiban.accounts.tests.factories import UserFactory
from denshiban.newsroom.models import ArticlePage, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _article_form(section_page, **overrides):
    data = {
        "title": "日銀、追加利上げへ",
        "lead": "日銀は次回会合で追加利上げを検討する。",
        "body-count": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "section": str(section_page.pk),
        "access_level": "paid",
        "dateline": "",
        "slug": "",
        "seo_title": "",
        "search_description": "",
    }
    data.update(overrides)
    return data


def _add_url(site):
    return reverse("wagtailadmin_pages:add", args=("newsroom", "articlepage", site["index"].pk))


def test_admin_is_in_japanese(client, site, editor):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "ダッシュボード" in response.content.decode()


def test_editor_publishes_an_article(client, site, editor):
    response = client.post(
        _add_url(site), _article_form(site["section"], **{"action-publish": "1"})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = ArticlePage.objects.get(title="日銀、追加利上げへ")
    assert article.live
    assert article.url == f"/article/{article.pk}/"
    assert client.get(article.url).status_code == 200


@pytest.mark.parametrize(
    ("missing", "label"),
    [("title", "見出し"), ("section", "セクション"), ("access_level", "公開範囲")],
)
def test_article_without_an_essential_is_refused_and_text_kept(
    client, site, editor, missing, label
):
    form = _article_form(site["section"], **{missing: ""})
    before = Page.objects.count()
    response = client.post(_add_url(site), form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "記事を保存できません。次の項目を入力してください" in html and label in html
    assert "日銀は次回会合で追加利上げを検討する。" in html
    assert Page.objects.count() == before


def test_saving_a_draft_also_requires_the_essentials(client, site, editor):
    before = Page.objects.count()
    response = client.post(_add_url(site), _article_form(site["section"], access_level=""))
    assert response.status_code == 200
    assert Page.objects.count() == before


def test_snippets_are_editable_in_admin(client, site, editor):
    url = reverse("wagtailsnippets_newsroom_topic:add")
    response = client.post(url, {"name": "日米同盟", "slug": "us-japan", "description": "説明"})
    assert response.status_code == 302
    assert Topic.objects.filter(slug="us-japan").exists()


def test_article_preview_renders_unsaved_text(client, site, editor):
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=("newsroom", "articlepage", site["index"].pk)
    )
    form = _article_form(site["section"], title="プレビューの見出し", access_level="free")
    assert client.post(url, form).json()["is_valid"] is True
    html = client.get(url).content.decode()
    assert "プレビューの見出し" in html


def test_editor_schedules_an_article_and_it_goes_live_on_time(client, site, editor):
    later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    form = _article_form(site["section"], **{"action-publish": "1", "go_live_at": later})
    assert client.post(_add_url(site), form).status_code == 302
    article = ArticlePage.objects.get(title="日銀、追加利上げへ")
    assert not article.live
    assert client.get(f"/article/{article.pk}/").status_code == 404
    revision = Revision.objects.get(object_id=str(article.pk), approved_go_live_at__isnull=False)
    past = timezone.now() - timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    call_command("publish_scheduled")
    article.refresh_from_db()
    assert article.live
    assert client.get(f"/article/{article.pk}/").status_code == 200


def test_updates_keep_revision_history_and_unpublish_hides_article(client, site, editor):
    assert (
        client.post(
            _add_url(site), _article_form(site["section"], **{"action-publish": "1"})
        ).status_code
        == 302
    )
    article = ArticlePage.objects.get(title="日銀、追加利上げへ")
    edit_url = reverse("wagtailadmin_pages:edit", args=(article.pk,))
    form = _article_form(site["section"], title="日銀、追加利上げを決定", **{"action-publish": "1"})
    assert client.post(edit_url, form).status_code == 302
    assert Revision.objects.filter(object_id=str(article.pk)).count() == 2
    assert "日銀、追加利上げを決定" in client.get(article.url).content.decode()
    unpublish_url = reverse("wagtailadmin_pages:unpublish", args=(article.pk,))
    assert client.post(unpublish_url).status_code == 302
    assert client.get(f"/article/{article.pk}/").status_code == 404
