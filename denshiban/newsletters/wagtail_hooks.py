"""Newsletters and their subscribers in Wagtail's admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Newsletter, Subscriber


class SubscriberPermissionPolicy(ModelPermissionPolicy):
    """Subscribers come only from the double opt-in: the admin reads and searches them."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        readable = [action for action in actions if action not in ("add", "change", "delete")]
        if not readable:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(readable)


register_permission_policy(Subscriber, SubscriberPermissionPolicy(Subscriber))


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
