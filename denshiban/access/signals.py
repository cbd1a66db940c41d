"""Changes that alter what a guest's page shows make the shared page cache forget it all.

Publishing or unpublishing any page (an article's access level, a section's list, the
home's top stories) and editing what articles show beside their text (topics, series,
companies, industries, reporters, images). Renditions are left out: rendering a page
creates them, and that must not empty the cache it fills.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images.models import Image
from wagtail.signals import page_published, page_unpublished

from denshiban.core.pagecache import forget_pages
from denshiban.newsroom.models import Company, Industry, Reporter, Series, Topic

page_published.connect(forget_pages, dispatch_uid="access.pages_on_publish")
page_unpublished.connect(forget_pages, dispatch_uid="access.pages_on_unpublish")
for _model in (Topic, Series, Company, Industry, Reporter, Image):
    post_save.connect(forget_pages, sender=_model, dispatch_uid=f"access.pages_{_model.__name__}")
    post_delete.connect(forget_pages, sender=_model, dispatch_uid=f"access.gone_{_model.__name__}")
m2m_changed.connect(
    forget_pages, sender=Topic.related_topics.through, dispatch_uid="access.pages_related_topics"
)
