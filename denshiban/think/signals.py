"""Guests' cached pages show Think! counts and experts' names: a change makes them stale."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from denshiban.core.pagecache import forget_pages

from .models import Comment, Expert


def _forget_after_commit(sender, **kwargs) -> None:
    # After the commit, so no guest request in between stores the page as it was.
    transaction.on_commit(forget_pages)


for _model in (Comment, Expert):
    post_save.connect(
        _forget_after_commit, sender=_model, dispatch_uid=f"think.saved_{_model.__name__}"
    )
    post_delete.connect(
        _forget_after_commit, sender=_model, dispatch_uid=f"think.gone_{_model.__name__}"
    )
