"""Keep cached navigation and article relations true when editors change them."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images.models import Image, Rendition
from wagtail.signals import page_published, page_unpublished

from .models import Company, Industry, Reporter, SectionPage, Series, Topic
from .selectors import forget_article_relations, forget_nav_sections


def _section_changed(sender, **kwargs) -> None:
    forget_nav_sections()


page_published.connect(_section_changed, sender=SectionPage)
page_unpublished.connect(_section_changed, sender=SectionPage)


def _relations_changed(sender, **kwargs) -> None:
    forget_article_relations()


# Renditions too: a cached photo without its new rendition would look it up on every view.
# They are made once per image and size, so this empties the cache only while pages are
# first drawn.
for _model in (Topic, Series, Company, Industry, Reporter, Image, Rendition):
    post_save.connect(_relations_changed, sender=_model)
    post_delete.connect(_relations_changed, sender=_model)
m2m_changed.connect(_relations_changed, sender=Topic.related_topics.through)
