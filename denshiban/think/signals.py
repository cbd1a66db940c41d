"""Guests' cached pages show Think! counts and experts' names: a change makes them stale."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from denshiban.core.pagecache import forget_pages

from . import selectors
from .models import Comment, Expert, HelpfulMark


def _forget_after_commit(sender, **kwargs) -> None:
    # At once, so this process reads the change; and after the commit, so no request in
    # between stores the page or the comments as they were.
    selectors.forget_cached()
    transaction.on_commit(forget_pages)
    transaction.on_commit(selectors.forget_cached)


def _forget_counts(sender, **kwargs) -> None:
    selectors.forget_cached()
    transaction.on_commit(selectors.forget_cached)


post_save.connect(_forget_counts, sender=HelpfulMark, dispatch_uid="think.marked")
post_delete.connect(_forget_counts, sender=HelpfulMark, dispatch_uid="think.unmarked")

for _model in (Comment, Expert):
    post_save.connect(
        _forget_after_commit, sender=_model, dispatch_uid=f"think.saved_{_model.__name__}"
    )
    post_delete.connect(
        _forget_after_commit, sender=_model, dispatch_uid=f"think.gone_{_model.__name__}"
    )
