"""Experts, their comments and 参考になった marks for Think!'s tests."""

from __future__ import annotations

from typing import Any

import factory

from denshiban.accounts.tests.factories import UserFactory
from denshiban.think.models import Comment, CommentKind, Expert

# Long enough for the 50-character minimum, and easy to find in a page.
COMMENT_TEXT = (
    "金融政策の転換点を読み解くには、賃金と物価の関係を丁寧に追う必要がある。"
    "サービス価格の粘り強さが鍵だ。"
)


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"専門家{n}")
    slug = factory.Sequence(lambda n: f"expert-{n}")
    title = "経済学者"
    affiliation = "架空大学 教授"
    expertise = "金融政策、物価"
    biography = "物価と賃金を研究している。"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    expert = factory.SubFactory(ExpertFactory)
    kind = CommentKind.BRIEF
    text = factory.Sequence(lambda n: f"{COMMENT_TEXT}(その{n})")


def expert_with_account(**fields: Any) -> Expert:
    """An expert whose profile is linked to an account with the expert role."""
    user = UserFactory(is_expert=True)
    return ExpertFactory(user=user, **fields)
