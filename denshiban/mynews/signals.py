"""Keeps the feed entries in step with publishing (feed.py does the work).

They are written in the publishing transaction: an article is in its followers'
Myニュース exactly when it is live, and an unpublished article leaves it at once.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from denshiban.newsroom.models import ArticlePage
from denshiban.think.models import Comment

from . import feed


def _article_published(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    feed.sync_entries([instance.pk])
    feed.sync_expert_entries([instance.pk])


def _comment_changed(sender: Any, instance: Comment, **kwargs: Any) -> None:
    """Posted, edited, hidden, restored or deleted: the expert's entry follows at commit."""
    article_id = instance.article_id
    transaction.on_commit(lambda: feed.sync_expert_entries([article_id]))


def _article_unpublished(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    feed.remove_entries(instance.pk)


page_published.connect(_article_published, sender=ArticlePage, dispatch_uid="mynews-feed")
page_unpublished.connect(_article_unpublished, sender=ArticlePage, dispatch_uid="mynews-unfeed")
post_save.connect(_comment_changed, sender=Comment, dispatch_uid="mynews-expert-comment")
post_delete.connect(_comment_changed, sender=Comment, dispatch_uid="mynews-expert-uncomment")
