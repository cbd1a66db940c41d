"""Keyword matching follows publishing, and workers learn when the keywords change.

Publishing or updating an article queues `match_article` once the publication is committed.
Unpublishing needs nothing here: the feed's own handler (signals.py, feed.py) removes every
entry of an unpublished article, keyword entries included.

Creating or deleting a Keyword moves the keywords version after the commit, never before:
a worker that saw the new version while the row was still uncommitted would build its
automaton without the word and keep it.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published

from denshiban.newsroom.models import ArticlePage

from .models import Keyword
from .tasks import bump_keywords_version, match_article


def _article_published(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    article_id = instance.pk
    transaction.on_commit(lambda: match_article.enqueue(article_id))


def _keyword_created(sender: Any, instance: Keyword, created: bool, **kwargs: Any) -> None:
    if created:
        transaction.on_commit(bump_keywords_version)


def _keyword_deleted(sender: Any, instance: Keyword, **kwargs: Any) -> None:
    transaction.on_commit(bump_keywords_version)


page_published.connect(_article_published, sender=ArticlePage, dispatch_uid="mynews-match")
post_save.connect(_keyword_created, sender=Keyword, dispatch_uid="mynews-keyword-created")
post_delete.connect(_keyword_deleted, sender=Keyword, dispatch_uid="mynews-keyword-deleted")
