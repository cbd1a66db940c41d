import pytest

from denshiban.accounts.management.demo import ensure_demo_accounts
from denshiban.newsroom.demo import engine
from denshiban.newsroom.tests.factories import add_article
from denshiban.think import demo
from denshiban.think.models import Comment, Expert, HelpfulMark
from denshiban.think.services import clean_comment


def test_demo_comments_keep_the_rules_and_name_existing_experts_and_articles():
    experts = {spec["slug"] for spec in demo.EXPERTS}
    article_keys = {spec["key"] for spec in engine.load_content().articles}
    entries = [(key, *entry) for key, items in demo.COMMENTS.items() for entry in items]
    assert len(demo.EXPERTS) == 8
    assert len(entries) >= 40
    assert len({text for *_, text, _url in entries}) == len(entries)
    for key, slug, kind, text, url in entries:
        assert key in article_keys, key
        assert slug in experts, slug
        cleaned = clean_comment(kind=kind, text=text, url=url)
        assert cleaned.text == text


@pytest.mark.django_db
def test_seed_think_is_idempotent_and_links_the_demo_expert(site):
    ensure_demo_accounts()
    for key in demo.COMMENTS:
        add_article(
            index=site["index"], section=site["section"], slug=f"{demo.ARTICLE_SLUG_PREFIX}{key}"
        )

    first = demo.seed_think()
    assert first.created["エキスパート"] == 8
    assert Expert.objects.count() == 8
    assert Comment.objects.count() == sum(len(items) for items in demo.COMMENTS.values())
    assert HelpfulMark.objects.exists()
    linked = Expert.objects.get(user__email="expert@example.jp")
    assert linked.name == "佐久間玲子" and linked.user.is_expert
    assert Expert.objects.filter(user__isnull=False).count() == 1

    marks = HelpfulMark.objects.count()
    second = demo.seed_think()
    assert not second.created
    assert Comment.objects.count() == sum(len(items) for items in demo.COMMENTS.values())
    assert HelpfulMark.objects.count() == marks


@pytest.mark.django_db
def test_seed_think_without_articles_or_accounts_makes_experts_only(site):
    demo.seed_think()
    assert Expert.objects.count() == 8
    assert not Comment.objects.exists()
    assert not Expert.objects.filter(user__isnull=False).exists()
