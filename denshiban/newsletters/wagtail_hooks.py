"""Newsletters and their subscribers in Wagtail's admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from denshiban.core.permissions import ReadOnlyPermissionPolicy

from .models import Newsletter, Subscriber

# Subscribers come only from the double opt-in.
register_permission_policy(Subscriber, ReadOnlyPermissionPolicy(Subscriber))


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    list_display = ["name", "slug", "schedule"]
    search_fields = ["name", "description"]


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "user"
    list_display = ["email", "status", "source_article", "consented_at", "confirmed_at"]
    list_filter = ["status", "lists"]
    search_fields = ["email"]
    inspect_view_enabled = True


class NewslettersGroup(SnippetViewSetGroup):
    menu_label = _("ニュースレター")
    menu_icon = "mail"
    menu_order = 310
    items = (NewsletterViewSet, SubscriberViewSet)


register_snippet(NewslettersGroup)
