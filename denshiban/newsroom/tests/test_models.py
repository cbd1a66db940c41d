from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from denshiban.newsroom.tests.factories import CompanyFactory, add_article

pytestmark = pytest.mark.django_db


def test_article_address_is_its_stable_id(site):
    article = add_article(index=site["index"], section=site["section"])
    assert article.public_path == article.url == f"/article/{article.pk}/"


def test_article_gets_a_short_tree_slug_when_none_is_given(site):
    article = add_article(index=site["index"], section=site["section"], title="長い" * 40)
    assert 0 < len(article.slug) <= 20


def test_update_time_after_publication_marks_the_article_updated(site):
    published = timezone.now() - timedelta(hours=2)
    article = add_article(
        index=site["index"],
        section=site["section"],
        published_at=published,
        updated_at=published + timedelta(minutes=30),
    )
    assert article.is_updated
    assert article.shown_time == article.updated_at


def test_update_time_not_after_publication_is_ignored(site):
    published = timezone.now() - timedelta(hours=2)
    article = add_article(
        index=site["index"], section=site["section"], published_at=published, updated_at=published
    )
    assert not article.is_updated
    assert article.shown_time == article.first_published_at


def test_section_path_is_its_slug(site):
    assert site["section"].public_path == "/economy/"


def test_securities_code_is_unique(db):
    CompanyFactory(securities_code="7203")
    duplicate = CompanyFactory.build(securities_code="7203")
    duplicate.industry.save()
    duplicate.industry_id = duplicate.industry.pk
    with pytest.raises(ValidationError):
        duplicate.full_clean()
