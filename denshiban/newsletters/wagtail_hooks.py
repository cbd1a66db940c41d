"""Newsletters in Wagtail's admin: lists, subscribers, issues and their sending, the funnel."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList, PageChooserPanel
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from denshiban.core.permissions import ReadOnlyPermissionPolicy

from . import admin_views
from .models import Newsletter, NewsletterIssue, Subscriber

# Subscribers come only from the double opt-in.
register_permission_policy(Subscriber, ReadOnlyPermissionPolicy(Subscriber))
register_permission_policy(NewsletterIssue, admin_views.IssuePermissionPolicy(NewsletterIssue))


@hooks.register("register_log_actions")
def register_sending_log_actions(actions):
    """Who pressed 送信する, 予約する or 予約を取り消す shows in the issue's history."""
    actions.register_action("newsletters.send", _("送信"), _("送信を開始しました"))
    actions.register_action("newsletters.schedule", _("予約"), _("配信を予約しました"))
    actions.register_action(
        "newsletters.cancel_schedule", _("予約の取り消し"), _("配信の予約を取り消しました")
    )


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    list_display = ["name", "slug", "schedule"]
    search_fields = ["name", "description"]


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "user"
    index_view_class = admin_views.SubscriberIndexView
    inspect_view_class = admin_views.SubscriberInspectView
    list_display = ["email", "status", "source_article", "consented_at", "confirmed_at"]
    list_filter = ["status", "lists"]
    search_fields = ["email"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Subscriber.objects.select_related("source_article")


class NewsletterIssueViewSet(SnippetViewSet):
    model = NewsletterIssue
    icon = "mail"
    menu_label = _("配信")
    index_view_class = admin_views.IssueIndexView
    add_view_class = admin_views.IssueCreateView
    edit_view_class = admin_views.IssueEditView
    inspect_view_class = admin_views.IssueInspectView
    delete_view_class = admin_views.IssueDeleteView
    inspect_view_enabled = True
    # A copy would carry the status and counts of a sent issue into a new one.
    copy_view_enabled = False
    list_display = [
        "subject",
        "newsletter",
        "status",
        "send_at",
        admin_views.ProgressColumn(),
    ]
    list_filter = ["status", "newsletter"]
    search_fields = ["subject"]
    edit_template_name = "newsletters/admin/issue_edit.html"
    inspect_template_name = "newsletters/admin/issue_inspect.html"
    inspect_view_fields = [
        "newsletter",
        "subject",
        "intro",
        "status",
        "send_at",
        "started_at",
        "finished_at",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("newsletter"),
            FieldPanel("subject"),
            FieldPanel("intro"),
            FieldPanel(
                "send_at",
                help_text=_(
                    "「予約する」で使う配信日時です。「送信する」はこの欄に関係なく今すぐ送ります。"
                ),
            ),
            InlinePanel(
                "items",
                panels=[PageChooserPanel("article", page_type="newsroom.ArticlePage")],
                label=_("掲載記事"),
                help_text=_("空のまま送ると、ニュースレターのセクションの最新記事が入ります"),
            ),
        ],
        base_form_class=admin_views.IssueForm,
    )

    def get_urlpatterns(self):
        issue_views = {
            "send": admin_views.SendView,
            "schedule": admin_views.ScheduleView,
            "cancel": admin_views.CancelScheduleView,
            "issue_preview": admin_views.PreviewView,
            "issue_preview_html": admin_views.PreviewHtmlView,
            "progress": admin_views.ProgressView,
            "progress_fragment": admin_views.ProgressFragmentView,
        }
        routes = {
            "send": "send/<int:pk>/",
            "schedule": "schedule/<int:pk>/",
            "cancel": "cancel/<int:pk>/",
            "issue_preview": "preview-issue/<int:pk>/",
            "issue_preview_html": "preview-issue/<int:pk>/html/",
            "progress": "progress/<int:pk>/",
            "progress_fragment": "progress/<int:pk>/status/",
        }
        patterns = [
            path(routes[name], view.as_view(), name=name) for name, view in issue_views.items()
        ]
        patterns.append(
            path(
                "preview-issue/<int:pk>/text/",
                admin_views.PreviewView.as_view(text=True),
                name="issue_preview_text",
            )
        )
        return super().get_urlpatterns() + patterns


class SubscriberViewPermissionMenuItem(MenuItem):
    def is_shown(self, request):
        policy = policy_registry.get_by_type(Subscriber)
        return policy.user_has_permission(request.user, "view")


class FunnelViewSet(ViewSet):
    name = "newsletter_funnel"
    url_prefix = "newsletters/funnel"
    icon = "table"
    menu_label = _("登録ファネル")
    menu_item_class = SubscriberViewPermissionMenuItem

    def get_urlpatterns(self):
        return [path("", admin_views.FunnelReportView.as_view(), name="index")]

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index"))


class NewslettersGroup(SnippetViewSetGroup):
    menu_label = _("ニュースレター")
    menu_icon = "mail"
    menu_order = 310
    items = (NewsletterViewSet, SubscriberViewSet, NewsletterIssueViewSet, FunnelViewSet)


register_snippet(NewslettersGroup)
