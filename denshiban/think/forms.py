"""The expert's comment form. The rules live in services.clean_comment, shared with the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .exceptions import CommentInvalid
from .models import TEXT_MAX_LENGTH, TEXT_MIN_LENGTH, URL_MAX_LENGTH, Comment, CommentKind
from .services import clean_comment


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=CommentKind.choices,
        initial=CommentKind.BRIEF,
        required=False,
        widget=forms.RadioSelect,
    )
    # Not required and not stripped here: clean_comment gives the paper's message, and a
    # refused text comes back exactly as typed.
    text = forms.CharField(
        label=_("コメント"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-min": TEXT_MIN_LENGTH}),
        help_text=_("%(min)d〜%(max)d文字。HTMLは使えません(そのまま文字として表示します)。")
        % {"min": TEXT_MIN_LENGTH, "max": TEXT_MAX_LENGTH},
    )
    url = forms.CharField(
        label=_("参考リンク(任意・1つ)"),
        required=False,
        widget=forms.URLInput(
            attrs={"placeholder": "https://", "data-max": URL_MAX_LENGTH, "inputmode": "url"}
        ),
    )

    def __init__(self, *args: Any, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["text"].widget.attrs["data-max"] = TEXT_MAX_LENGTH

    @classmethod
    def for_comment(cls, comment: Comment) -> CommentForm:
        return cls(
            initial={"kind": comment.kind, "text": comment.text, "url": comment.url},
            prefix=f"edit-{comment.pk}",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            clean_comment(
                kind=cleaned.get("kind"), text=cleaned.get("text"), url=cleaned.get("url")
            )
        except CommentInvalid as invalid:
            for field, message in invalid.errors.items():
                self.add_error(field, message)
        return cleaned
