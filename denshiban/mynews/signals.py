"""Keeps the feed entries in step with publishing (feed.py does the work).

They are written in the publishing transaction: an article is in its followers'
Myニュース exactly when it is live, and an unpublished article leaves it at once.
"""

from typing import Any

from wagtail.signals import page_published, page_unpublished

from denshiban.newsroom.models import ArticlePage

from . import feed


def _article_published(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    feed.sync_entries([instance.pk])


def _article_unpublished(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    feed.remove_entries(instance.pk)


page_published.connect(_article_published, sender=ArticlePage, dispatch_uid="mynews-feed")
page_unpublished.connect(_article_unpublished, sender=ArticlePage, dispatch_uid="mynews-unfeed")
