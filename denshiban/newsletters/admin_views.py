"""Editors' screens for newsletter issues and subscribers, and the registration funnel.

Issues are Wagtail snippets (wagtail_hooks.py); these views add what sending needs: an issue
can be edited only until it starts sending, the send, schedule and cancel actions (each a
POST, confirmed on its own page when reached from a list), the preview of the mail, and the
progress page that refreshes itself while the issue is being sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import AdminPageChooser
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import snippets

from denshiban.core.dates import format_jdatetime
from denshiban.newsroom.models import ArticlePage

from . import composing, exports, reports, sending
from .models import (
    DeliveryStatus,
    IssueArticle,
    IssueStatus,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)

EDITABLE = (IssueStatus.DRAFT, IssueStatus.SCHEDULED)
POLLING = (IssueStatus.SCHEDULED, IssueStatus.SENDING)
FAILED_PER_PAGE = 50


def is_editable(issue: NewsletterIssue) -> bool:
    return issue.status in EDITABLE


class IssueNotEditable(Exception):
    """The issue started sending while the editor had it open."""


def not_editable_message() -> str:
    return _("送信を始めた配信は編集できません。内容と進み具合はこのページで確認できます。")


class IssuePermissionPolicy(ModelPermissionPolicy):
    """An issue that started sending is a record: no edits; only drafts may be deleted."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change" and not is_editable(instance):
            return False
        if action == "delete" and instance.status != IssueStatus.DRAFT:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


# ---------------------------------------------------------------------------------------
# The issue form and the snippet views


class IssueForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        send_at = cleaned.get("send_at")
        scheduled = self.instance.pk and self.instance.status == IssueStatus.SCHEDULED
        if scheduled and "send_at" not in self.errors:
            # The tick starts a scheduled issue at send_at: an empty or past time would
            # leave it waiting forever or send it at once.
            if send_at is None or send_at <= timezone.now():
                self.add_error(
                    "send_at",
                    _(
                        "予約中の配信です。配信日時は現在より後の日時にしてください"
                        "(今すぐ送るときは予約を取り消してから「送信する」を押してください)。"
                    ),
                )
        return cleaned


def progress_label(issue: NewsletterIssue) -> str:
    progress = getattr(issue, "admin_progress", None)
    if progress is None or (issue.status in EDITABLE and not progress.total):
        return "—"
    return _("送信 %(sent)s / 全 %(total)s(失敗 %(failed)s)") % {
        "sent": f"{progress.sent:,}",
        "total": f"{progress.total:,}",
        "failed": f"{progress.failed:,}",
    }


class ProgressColumn(Column):
    def __init__(self) -> None:
        super().__init__("progress", label=gettext_lazy("進み具合"), accessor=progress_label)


def _issue_url(name: str, issue: NewsletterIssue) -> str:
    return reverse(NewsletterIssue.snippet_viewset.get_url_name(name), args=[issue.pk])


def issue_buttons(issue: NewsletterIssue, user: Any) -> list[Button]:
    """The issue's own actions, for list rows and page headers."""
    policy = NewsletterIssue.snippet_viewset.permission_policy
    buttons = [
        Button(_("プレビュー"), url=_issue_url("issue_preview", issue), icon_name="view"),
        Button(_("進み具合"), url=_issue_url("progress", issue), icon_name="time"),
    ]
    if policy.user_has_permission(user, "change") and is_editable(issue):
        buttons.append(
            Button(_("送信する"), url=_issue_url("send", issue), icon_name="mail", priority=40)
        )
        buttons.append(
            Button(_("予約する"), url=_issue_url("schedule", issue), icon_name="date", priority=41)
        )
        if issue.status == IssueStatus.SCHEDULED:
            buttons.append(
                Button(
                    _("予約を取り消す"),
                    url=_issue_url("cancel", issue),
                    icon_name="cross",
                    priority=42,
                )
            )
    return buttons


class IssueIndexView(snippets.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("newsletter")

    def get_table(self, object_list):
        issues = list(object_list)
        progress = reports.issues_progress(issues)
        for issue in issues:
            issue.admin_progress = progress[issue.pk]
        return super().get_table(issues)

    def get_edit_url(self, instance):
        if is_editable(instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if instance.status == IssueStatus.DRAFT:
            return super().get_delete_url(instance)
        return None

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            *issue_buttons(instance, self.request.user),
        ]


class IssueCreateView(snippets.CreateView):
    def get_success_url(self):
        return _issue_url("edit", self.object)


def actions_context(issue: NewsletterIssue, user: Any) -> dict[str, Any]:
    """What the action bar above an issue shows (edit and inspect pages)."""
    policy = NewsletterIssue.snippet_viewset.permission_policy
    show_progress = issue.status not in EDITABLE
    return {
        "issue": issue,
        "can_act": policy.user_has_permission(user, "change") and is_editable(issue),
        "progress": sending.progress(issue) if show_progress else None,
        "send_url": _issue_url("send", issue),
        "schedule_url": _issue_url("schedule", issue),
        "cancel_url": _issue_url("cancel", issue),
        "preview_url": _issue_url("issue_preview", issue),
        "preview_text_url": _issue_url("issue_preview_text", issue),
        "progress_url": _issue_url("progress", issue),
        "schedule_form": ScheduleForm(initial={"send_at": issue.send_at}, auto_id="schedule-%s"),
    }


class IssueEditView(snippets.EditView):
    """Editing stops when sending starts; a post that arrives later changes nothing."""

    def get(self, request, *args, **kwargs):
        if not is_editable(self.object):
            messages.warning(request, not_editable_message())
            return redirect(_issue_url("inspect", self.object))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not is_editable(self.object):
            return self.refuse()
        try:
            return super().post(request, *args, **kwargs)
        except IssueNotEditable:
            return self.refuse()

    def refuse(self) -> HttpResponse:
        messages.error(self.request, not_editable_message())
        return redirect(_issue_url("inspect", self.object))

    def save_instance(self):
        # The row is locked and read again: request_send may have started the issue since
        # this form was loaded. Only the fields the form shows are taken from it.
        current = NewsletterIssue.objects.select_for_update().get(pk=self.object.pk)
        if not is_editable(current):
            raise IssueNotEditable
        instance = self.form.instance
        form_fields = set(self.form.fields)
        for field in NewsletterIssue._meta.concrete_fields:
            if field.name not in form_fields and not field.primary_key:
                setattr(instance, field.attname, getattr(current, field.attname))
        return super().save_instance()

    def get_success_url(self):
        return _issue_url("edit", self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(actions_context(self.object, self.request.user))
        return context


class IssueInspectView(snippets.InspectView):
    # Wagtail's inspect view prints datetimes without turning them into Japan time.
    def get_send_at_display_value(self) -> str:
        return format_jdatetime(self.object.send_at) or "—"

    def get_started_at_display_value(self) -> str:
        return format_jdatetime(self.object.started_at) or "—"

    def get_finished_at_display_value(self) -> str:
        return format_jdatetime(self.object.finished_at) or "—"

    def get_edit_url(self):
        if is_editable(self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.object.status == IssueStatus.DRAFT:
            return super().get_delete_url()
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(actions_context(self.object, self.request.user))
        context["items"] = (
            self.object.items.select_related("article").order_by("sort_order", "pk").all()
        )
        return context


class IssueDeleteView(snippets.DeleteView):
    """Only drafts: a scheduled or sent issue is cancelled or kept as the record of a send."""

    def get(self, request, *args, **kwargs):
        if self.object.status != IssueStatus.DRAFT:
            return self.refuse()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.object.status != IssueStatus.DRAFT:
            return self.refuse()
        try:
            return super().post(request, *args, **kwargs)
        except IssueNotEditable:
            return self.refuse()

    def refuse(self) -> HttpResponse:
        messages.error(self.request, _("削除できるのは下書きの配信だけです。"))
        return redirect(_issue_url("inspect", self.object))

    def delete_action(self):
        with transaction.atomic():
            current = NewsletterIssue.objects.select_for_update().get(pk=self.object.pk)
            if current.status != IssueStatus.DRAFT:
                raise IssueNotEditable
            super().delete_action()


# ---------------------------------------------------------------------------------------
# Actions: 送信する, 予約する, 予約を取り消す


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=gettext_lazy("配信日時"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": gettext_lazy("配信日時を入力してください。"),
            "invalid": gettext_lazy("配信日時を正しく入力してください(例: 2026-05-01 07:00)。"),
        },
    )

    def clean_send_at(self) -> datetime:
        send_at = self.cleaned_data["send_at"]
        if send_at <= timezone.now():
            raise forms.ValidationError(_("配信日時は現在より後の日時を指定してください。"))
        return send_at


class IssuePageView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """A page about one issue, under the issue list in the breadcrumbs."""

    model = NewsletterIssue
    any_permission_required = ["change", "view"]
    header_icon = "mail"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.issue = get_object_or_404(
            NewsletterIssue.objects.select_related("newsletter"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self) -> str:
        return self.issue.subject

    def issue_home_url(self) -> str:
        return _issue_url("edit" if is_editable(self.issue) else "inspect", self.issue)

    def get_breadcrumbs_items(self) -> list[dict]:
        viewset = NewsletterIssue.snippet_viewset
        return [
            *self.breadcrumbs_items,
            {"url": reverse(viewset.get_url_name("list")), "label": viewset.menu_label},
            {"url": self.issue_home_url(), "label": self.issue.subject},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["issue"] = self.issue
        context["issue_home_url"] = self.issue_home_url()
        return context


class IssueActionView(IssuePageView):
    """GET shows what will happen and the button; POST does it."""

    permission_required = "change"
    any_permission_required = None

    def refused(self, error: sending.IssueStateError) -> HttpResponse:
        messages.error(self.request, str(error))
        return redirect(self.issue_home_url())


def recipient_count(issue: NewsletterIssue) -> int:
    return Subscriber.objects.filter(
        lists=issue.newsletter_id, status=SubscriberStatus.CONFIRMED
    ).count()


class SendView(IssueActionView):
    template_name = "newsletters/admin/issue_send.html"
    page_title = gettext_lazy("今すぐ送信")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["recipients"] = recipient_count(self.issue)
        chosen = list(self.issue.items.select_related("article").order_by("sort_order", "pk"))
        context["articles"] = [item.article for item in chosen]
        context["default_articles"] = (
            [] if chosen else composing.default_articles(self.issue.newsletter)
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            issue = sending.request_send(self.issue.pk)
        except sending.IssueStateError as error:
            return self.refused(error)
        log(instance=issue, action="newsletters.send", user=request.user)
        messages.success(request, _("送信を始めました。進み具合はこのページで確認できます。"))
        return redirect(_issue_url("progress", self.issue))


class ScheduleView(IssueActionView):
    template_name = "newsletters/admin/issue_schedule.html"
    page_title = gettext_lazy("配信の予約")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ScheduleForm(initial={"send_at": self.issue.send_at}))
        context["recipients"] = recipient_count(self.issue)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        send_at = form.cleaned_data["send_at"]
        try:
            issue = sending.request_send(self.issue.pk, send_at=send_at)
        except sending.IssueStateError as error:
            return self.refused(error)
        log(instance=issue, action="newsletters.schedule", user=request.user)
        messages.success(
            request, _("%(when)s に配信を予約しました。") % {"when": format_jdatetime(send_at)}
        )
        return redirect(_issue_url("edit", self.issue))


class CancelScheduleView(IssueActionView):
    template_name = "newsletters/admin/issue_cancel.html"
    page_title = gettext_lazy("予約の取り消し")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            issue = sending.cancel_schedule(self.issue.pk)
        except sending.IssueStateError as error:
            return self.refused(error)
        log(instance=issue, action="newsletters.cancel_schedule", user=request.user)
        messages.success(request, _("配信の予約を取り消しました。下書きに戻っています。"))
        return redirect(_issue_url("edit", self.issue))


# ---------------------------------------------------------------------------------------
# Preview


def preview_parts(issue: NewsletterIssue) -> tuple[str, str, bool]:
    """(html, text, uses_defaults): what the issue would send, or what it sent.

    An issue that started sending shows its snapshot. Otherwise the parts are rendered from
    its articles; with none chosen, from the default articles held only in memory (the
    issue is not saved), as sending would fill them in.
    """
    if issue.status not in EDITABLE and issue.html_body:
        return issue.html_body, issue.text_body, False
    uses_defaults = not issue.items.exists()
    if uses_defaults:
        issue.items = [
            IssueArticle(article=article, sort_order=position)
            for position, article in enumerate(composing.default_articles(issue.newsletter))
        ]
    html, text = composing.render_parts(issue)
    return html, text, uses_defaults


def _with_sample_unsubscribe(part: str) -> str:
    return part.replace(composing.UNSUBSCRIBE_MARK, "#unsubscribe")


class PreviewView(IssuePageView):
    template_name = "newsletters/admin/issue_preview.html"
    page_title = gettext_lazy("プレビュー")
    text = False

    def get_page_title(self) -> str:
        return _("プレビュー(テキスト)") if self.text else _("プレビュー")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        html, text, uses_defaults = preview_parts(self.issue)
        context["text"] = _with_sample_unsubscribe(text) if self.text else None
        context["uses_defaults"] = uses_defaults
        context["html_url"] = _issue_url("issue_preview_html", self.issue)
        context["preview_url"] = _issue_url("issue_preview", self.issue)
        context["preview_text_url"] = _issue_url("issue_preview_text", self.issue)
        return context


class PreviewHtmlView(IssuePageView):
    """The mail's HTML part alone, shown in a sandboxed frame of the preview page."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        html, _text, _defaults = preview_parts(self.issue)
        response = HttpResponse(
            _with_sample_unsubscribe(html), content_type="text/html; charset=utf-8"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


# ---------------------------------------------------------------------------------------
# Progress


def progress_context(issue: NewsletterIssue) -> dict[str, Any]:
    return {
        "issue": issue,
        "progress": sending.progress(issue),
        "polling": issue.status in POLLING,
        "fragment_url": _issue_url("progress_fragment", issue),
        "retrying": issue.status == IssueStatus.SENDING and bool(issue.last_error),
        "stopped": issue.status == IssueStatus.FAILED,
    }


class ProgressView(IssuePageView):
    template_name = "newsletters/admin/issue_progress.html"
    page_title = gettext_lazy("進み具合")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(progress_context(self.issue))
        failed = (
            self.issue.deliveries.filter(status=DeliveryStatus.FAILED)
            .select_related("subscriber")
            .only("pk", "error", "subscriber__email")
            .order_by("pk")
        )
        context["failed_page"] = Paginator(failed, FAILED_PER_PAGE).get_page(
            self.request.GET.get("p")
        )
        context["preview_url"] = _issue_url("issue_preview", self.issue)
        return context


class ProgressFragmentView(IssuePageView):
    """The part of the progress page that htmx asks for every two seconds while sending."""

    template_name = "newsletters/admin/_issue_progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return progress_context(self.issue)


# ---------------------------------------------------------------------------------------
# Subscribers: the list's CSV export


class SubscriberIndexView(snippets.IndexView):
    """The subscriber list, with a CSV of exactly what the filters and search show."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.is_export = request.GET.get("export") == "csv"

    def get(self, request, *args, **kwargs):
        if self.is_export:
            if not self.user_has_permission("view"):
                raise PermissionDenied
            return exports.subscribers_csv_response(self.get_queryset())
        return super().get(request, *args, **kwargs)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("view"):
            buttons.append(
                HeaderButton(
                    _("CSVをダウンロード"), url=self.get_export_url("csv"), icon_name="download"
                )
            )
        return buttons


class SubscriberInspectView(snippets.InspectView):
    def get_consented_at_display_value(self) -> str:
        return format_jdatetime(self.object.consented_at)

    def get_confirmed_at_display_value(self) -> str:
        return format_jdatetime(self.object.confirmed_at) or "—"

    def get_created_at_display_value(self) -> str:
        return format_jdatetime(self.object.created_at)


# ---------------------------------------------------------------------------------------
# The funnel report


class FunnelForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": gettext_lazy("開始日を正しく入力してください(例: 2026-05-01)。")
        },
    )
    end = forms.DateField(
        label=gettext_lazy("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": gettext_lazy("終了日を正しく入力してください(例: 2026-05-31)。")
        },
    )
    article = forms.ModelChoiceField(
        label=gettext_lazy("記事(空欄ならすべて)"),
        queryset=ArticlePage.objects.all(),
        required=False,
        widget=AdminPageChooser(target_models=[ArticlePage]),
        error_messages={
            "invalid_choice": gettext_lazy("記事が見つかりません。選び直してください。")
        },
    )

    MAX_DAYS = 366

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        default = reports.default_period()
        start = cleaned.get("start") or default.start
        end = cleaned.get("end") or default.end
        if start > end:
            self.add_error("end", _("終了日は開始日と同じか、それより後の日付にしてください。"))
        elif (end - start).days >= self.MAX_DAYS:
            self.add_error("end", _("期間は366日以内で指定してください。"))
        else:
            cleaned["period"] = reports.Period(start=start, end=end)
        return cleaned


class FunnelReportView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """登録ファネル: for editors who may see the subscribers (the counts are theirs)."""

    model = Subscriber
    permission_required = "view"
    template_name = "newsletters/admin/funnel.html"
    page_title = gettext_lazy("登録ファネル")
    header_icon = "table"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        default = reports.default_period()
        data = self.request.GET if self.request.GET else None
        form = FunnelForm(data, initial={"start": default.start, "end": default.end})
        report = None
        if data is None:
            report = reports.funnel(default)
        elif form.is_valid():
            article = form.cleaned_data.get("article")
            report = reports.funnel(
                form.cleaned_data["period"], article_id=article.pk if article else None
            )
            context["article"] = article
        context["form"] = form
        context["report"] = report
        context["media"] = form.media
        return context
