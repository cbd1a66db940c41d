"""Keep cached navigation true when editors publish, move or unpublish sections."""

from wagtail.signals import page_published, page_unpublished

from .models import SectionPage
from .selectors import forget_nav_sections


def _section_changed(sender, **kwargs) -> None:
    forget_nav_sections()


page_published.connect(_section_changed, sender=SectionPage)
page_unpublished.connect(_section_changed, sender=SectionPage)
