"""Think! in Wagtail's admin: expert profiles, and moderation of comments (hide or restore)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import services
from .exceptions import ThinkError
from .models import Comment, Expert


class ModerationOnlyPermissionPolicy(ModelPermissionPolicy):
    """Comments are written by experts on the site; editors only hide or restore them."""

    REFUSED = frozenset({"add", "delete"})

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in self.REFUSED:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions: Any) -> Any:
        kept = [action for action in actions if action not in self.REFUSED]
        if not kept:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(kept)


register_permission_policy(Comment, ModerationOnlyPermissionPolicy(Comment))


class ExpertForm(WagtailAdminModelForm):
    """The account is named by its email address, which editors know, rather than chosen."""

    user_email = forms.EmailField(
        label=_("ログインに使うメールアドレス"),
        required=False,
        help_text=_(
            "会員登録済みのアドレスを入力すると、そのアカウントがエキスパートになり、"
            "記事にThink!を投稿できます。"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.user_id and not self.is_bound:
            self.initial["user_email"] = self.instance.user.email
        self.linked_user = None

    def clean_user_email(self) -> str:
        email = (self.cleaned_data.get("user_email") or "").strip()
        if not email:
            return ""
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("このメールアドレスの会員が見つかりません。先に会員登録をしてもらってください。")
            )
        other = Expert.objects.filter(user=user).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise forms.ValidationError(
                _("このアカウントは、すでに%(name)sさんのプロフィールに結び付いています。")
                % {"name": other.name}
            )
        self.linked_user = user
        return email

    def save(self, commit: bool = True) -> Expert:
        expert = super().save(commit=commit)
        if commit:
            services.link_expert_user(expert=expert, user=self.linked_user)
        return expert


class CommentModerationForm(WagtailAdminModelForm):
    """Hide or restore, always with a reason; the expert's words themselves are not editable."""

    visibility = forms.ChoiceField(
        label=_("表示"),
        choices=[("shown", _("読者に表示する")), ("hidden", _("非表示にする"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("非表示にする・再表示する理由を記録します(必須)。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"].initial = "hidden" if self.instance.is_hidden else "shown"

    def _wants_hidden(self) -> bool:
        return self.cleaned_data.get("visibility") == "hidden"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        changing = self._wants_hidden() != self.instance.is_hidden
        if changing and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("理由を入力してください。"))
        return cleaned

    def save(self, commit: bool = True) -> Comment:
        comment = self.instance
        if self._wants_hidden() == comment.is_hidden:
            return comment
        change = services.hide_comment if self._wants_hidden() else services.restore_comment
        try:
            return change(comment=comment, editor=self.for_user, reason=self.cleaned_data["reason"])
        except ThinkError as error:  # the reason was checked in clean(); kept for safety
            raise forms.ValidationError(error.message) from error


class ExpertViewSet(SnippetViewSet):
    model = Expert
    icon = "user"
    menu_label = _("エキスパート")
    list_display = ["name", "title", "affiliation", "user"]
    search_fields = ["name", "title", "affiliation", "expertise"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("name"),
                    FieldPanel("slug"),
                    FieldPanel("title"),
                    FieldPanel("affiliation"),
                    FieldPanel("expertise"),
                ],
                heading=_("プロフィール"),
            ),
            FieldPanel("biography"),
            FieldPanel("photo"),
            FieldPanel("user_email"),
        ],
        base_form_class=ExpertForm,
    )


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = _("コメント(モデレーション)")
    list_display = ["expert", "excerpt", "article", "kind", "created_at", "hidden_at"]
    list_filter = {"kind": ["exact"], "hidden_at": ["isnull"], "expert": ["exact"]}
    search_fields = ["text", "expert__name"]
    inspect_view_enabled = True
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("expert", read_only=True),
                    FieldPanel("article", read_only=True),
                    FieldPanel("kind", read_only=True),
                    FieldPanel("text", read_only=True),
                    FieldPanel("url", read_only=True),
                    FieldPanel("created_at", read_only=True),
                ],
                heading=_("コメント"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("visibility"),
                    FieldPanel("reason"),
                    FieldPanel("moderation_reason", read_only=True),
                    FieldPanel("moderated_by", read_only=True),
                    FieldPanel("moderated_at", read_only=True),
                ],
                heading=_("モデレーション"),
            ),
        ],
        base_form_class=CommentModerationForm,
    )


class ThinkGroup(SnippetViewSetGroup):
    menu_label = _("Think!")
    menu_icon = "comment"
    menu_order = 320
    items = (ExpertViewSet, CommentViewSet)


register_snippet(ThinkGroup)


class _ReasonFormatter(LogFormatter):
    """The history names the reason with the action, where editors look for it."""

    def format_message(self, log_entry: Any) -> str:
        reason = (log_entry.data or {}).get("reason", "")
        return _("%(action)s(理由: %(reason)s)") % {"action": self.message, "reason": reason}


@hooks.register("register_log_actions")
def register_moderation_actions(actions: Any) -> None:
    @actions.register_action("think.hide")
    class HideFormatter(_ReasonFormatter):
        label = _("Think!コメントを非表示")
        message = _("非表示にしました")

    @actions.register_action("think.restore")
    class RestoreFormatter(_ReasonFormatter):
        label = _("Think!コメントを再表示")
        message = _("再表示しました")
