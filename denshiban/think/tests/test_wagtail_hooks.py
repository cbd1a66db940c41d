"""Editors in Wagtail's admin: expert profiles, and hiding or restoring comments with a reason."""

import pytest
from django.urls import reverse
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.think.models import Comment, Expert

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _edit_url(comment):
    return reverse("wagtailsnippets_think_comment:edit", args=[comment.pk])


def test_editor_hides_a_comment_with_a_reason_and_readers_lose_it(client, editor, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    page = client.get(_edit_url(comment)).content.decode()
    assert comment.text in page  # shown for the decision, not editable

    response = client.post(
        _edit_url(comment), {"visibility": "hidden", "reason": "誤った数字を含む"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.moderated_by == editor
    assert comment.moderation_reason == "誤った数字を含む"
    client.logout()
    assert "コメント 0件" in client.get(article.url).content.decode()


def test_hiding_without_a_reason_is_refused(client, editor, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    response = client.post(_edit_url(comment), {"visibility": "hidden", "reason": ""})
    assert response.status_code == 200
    assert "理由を入力してください。" in response.content.decode()
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_editor_restores_a_hidden_comment(client, editor, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    client.post(_edit_url(comment), {"visibility": "hidden", "reason": "確認中"})
    client.post(_edit_url(comment), {"visibility": "shown", "reason": "確認の結果、問題なし"})
    comment.refresh_from_db()
    assert not comment.is_hidden
    history = client.get(reverse("wagtailsnippets_think_comment:history", args=[comment.pk]))
    html = history.content.decode()
    assert "確認中" in html and "確認の結果、問題なし" in html


def test_the_expert_text_cannot_be_changed_in_the_admin(client, editor, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    client.post(_edit_url(comment), {"visibility": "shown", "reason": "", "text": "書き換え"})
    comment.refresh_from_db()
    assert comment.text != "書き換え"


def test_editors_cannot_add_or_delete_comments(client, editor, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    assert client.get(reverse("wagtailsnippets_think_comment:add")).status_code in (302, 403)
    client.post(reverse("wagtailsnippets_think_comment:delete", args=[comment.pk]))
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_comment_list_shows_excerpts_and_filters_hidden_ones(client, editor, article, expert):
    CommentFactory(article=article, expert=expert, text="表示中のコメント" + "。" * 60)
    CommentFactory(
        article=article,
        expert=expert,
        text="非表示にしたコメント" + "。" * 60,
        hidden_at=timezone.now(),
    )
    url = reverse("wagtailsnippets_think_comment:list")
    every = client.get(url).content.decode()
    assert "表示中のコメント" in every and "非表示にしたコメント" in every
    hidden = client.get(url, {"hidden_at__isnull": "false"}).content.decode()
    assert "非表示にしたコメント" in hidden and "表示中のコメント" not in hidden


def test_editor_creates_an_expert_linked_by_email(client, editor):
    member = UserFactory(email="econ@example.jp")
    response = client.post(
        reverse("wagtailsnippets_think_expert:add"),
        {
            "name": "新井直子",
            "slug": "arai-naoko",
            "title": "エコノミスト",
            "affiliation": "架空総研",
            "expertise": "財政、税制",
            "biography": "財政を研究している。",
            "user_email": "ECON@example.jp",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    expert = Expert.objects.get(slug="arai-naoko")
    member.refresh_from_db()
    assert expert.user == member and member.is_expert


def test_an_unknown_email_is_refused_and_nothing_saved(client, editor):
    response = client.post(
        reverse("wagtailsnippets_think_expert:add"),
        {
            "name": "新井直子",
            "slug": "arai-naoko",
            "title": "エコノミスト",
            "user_email": "none@example.jp",
        },
    )
    assert response.status_code == 200
    assert "このメールアドレスの会員が見つかりません。" in response.content.decode()
    assert not Expert.objects.exists()
