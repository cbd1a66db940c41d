"""Think! on reader pages: the block's fragment, posting, editing, deleting, 参考になった, experts.

Every write is a POST with Django's CSRF check. htmx requests get the refreshed block (or
the 参考になった button) back; without JavaScript the browser is sent back to the article's
#think, or — when the input was refused — to a page that keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from denshiban.access.permissions import Action, check
from denshiban.core.http import mark_cacheable_for_guests
from denshiban.newsroom.models import ArticlePage

from . import selectors, services
from .block import article_anchor, block_context
from .exceptions import CommentNotFound, NotAllowed, ThinkError
from .forms import CommentForm
from .models import Comment


def _live_article(article_id: int) -> ArticlePage:
    article = ArticlePage.objects.live().only("id", "title", "live").filter(pk=article_id).first()
    if article is None:
        raise Http404
    return article


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _block(request: HttpRequest, article: ArticlePage, **extra: Any) -> HttpResponse:
    context = block_context(
        request=request,
        article_id=article.pk,
        article_path=article.public_path,
        sort=request.POST.get("sort") or request.GET.get("sort"),
        **extra,
    )
    return render(request, "think/_block.html", context)


def _refused(request: HttpRequest, error: ThinkError, article: ArticlePage) -> HttpResponse:
    """A refusal that no form can fix: a page with the message, or the block saying it."""
    if _is_htmx(request):
        # htmx swaps only successful answers in, so the block carries the message instead,
        # in place of the whole block whatever part of it asked.
        response = _block(request, article, error=error.message)
        response["HX-Retarget"] = "#think"
        response["HX-Reswap"] = "outerHTML"
        return _private(response)
    context = {"message": error.message, "article": article}
    return _private(render(request, "think/refused.html", context, status=error.status))


def _form_page(
    request: HttpRequest,
    *,
    article: ArticlePage,
    form: CommentForm,
    comment: Comment | None,
    status: int | None = None,
) -> HttpResponse:
    """Without JavaScript a refused comment comes back on its own page, text as typed."""
    context = {"article": article, "form": form, "comment": comment}
    status = status or (400 if form.is_bound else 200)
    return _private(render(request, "think/comment_form.html", context, status=status))


def _refused_with_text(
    request: HttpRequest,
    error: ThinkError,
    *,
    article: ArticlePage,
    form: CommentForm,
    comment: Comment | None,
) -> HttpResponse:
    """A refusal of the writer, not of the text: say why, and give the text back all the same."""
    if _is_htmx(request):
        return _refused(request, error, article)
    form.is_valid()
    form.add_error(None, error.message)
    return _form_page(request, article=article, form=form, comment=comment, status=error.status)


def _done(request: HttpRequest, article: ArticlePage, notice: str) -> HttpResponse:
    if _is_htmx(request):
        return _private(_block(request, article, notice=notice))
    messages.success(request, notice)
    return HttpResponseRedirect(article_anchor(article.public_path))


def _comment_and_article(comment_id: int) -> tuple[Comment, ArticlePage]:
    comment = selectors.visible_comment(comment_id)
    if comment is None:
        raise Http404
    return comment, _live_article(comment.article_id)


@require_GET
def think_block(request: HttpRequest, article_id: int) -> HttpResponse:
    """The block alone, for htmx's sorting; a guest's is the same for every guest."""
    article = _live_article(article_id)
    return mark_cacheable_for_guests(request, _block(request, article))


@require_POST
def post_comment(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _live_article(article_id)
    form = CommentForm(request.POST)
    permission = check(request.user, Action.THINK_POST)
    if not permission.allowed:
        error = NotAllowed(permission.message, status=permission.status)
        return _refused_with_text(request, error, article=article, form=form, comment=None)
    if form.is_valid():
        try:
            services.post_comment(
                user=request.user,
                article=article,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                url=form.cleaned_data["url"],
            )
        except ThinkError as error:
            form.add_error(error.field, error.message)
    if form.is_valid():
        return _done(request, article, _("コメントを投稿しました。"))
    if _is_htmx(request):
        return _private(_block(request, article, form=form))
    return _form_page(request, article=article, form=form, comment=None)


@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, article = _comment_and_article(comment_id)
    if request.method == "GET":
        try:
            services.editable_comment(user=request.user, comment_id=comment.pk)
        except ThinkError as error:
            return _refused(request, error, article)
        form = CommentForm.for_comment(comment)
        if _is_htmx(request):
            return _private(_block(request, article, editing=(comment.pk, form)))
        return _form_page(request, article=article, form=form, comment=comment)

    form = CommentForm(request.POST, prefix=f"edit-{comment.pk}")
    if form.is_valid():
        try:
            services.edit_comment(
                user=request.user,
                comment_id=comment.pk,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                url=form.cleaned_data["url"],
            )
        except (NotAllowed, CommentNotFound) as error:
            return _refused_with_text(request, error, article=article, form=form, comment=comment)
        except ThinkError as error:
            # Too late, or the text broke a rule: the message beside what was typed.
            form.add_error(error.field, error.message)
    if form.is_valid():
        return _done(request, article, _("コメントを更新しました。"))
    if _is_htmx(request):
        return _private(_block(request, article, editing=(comment.pk, form)))
    return _form_page(request, article=article, form=form, comment=comment)


@require_POST
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, article = _comment_and_article(comment_id)
    try:
        services.delete_comment(user=request.user, comment_id=comment.pk)
    except ThinkError as error:
        return _refused(request, error, article)
    return _done(request, article, _("コメントを削除しました。"))


@require_POST
def toggle_helpful(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, article = _comment_and_article(comment_id)
    try:
        state = services.toggle_helpful(user=request.user, comment_id=comment.pk)
    except ThinkError as error:
        return _refused(request, error, article)
    if _is_htmx(request):
        shown = {"pk": state.comment_id, "helpful_count": state.count, "marked_by_me": state.marked}
        return _private(render(request, "think/_helpful.html", {"comment": shown}))
    return HttpResponseRedirect(f"{article.public_path}#think-comment-{comment.pk}")


@require_GET
def expert_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public profile; the comments' text only for readers who may read Think!."""
    expert = selectors.expert_by_slug(slug)
    if expert is None:
        raise Http404
    permission = check(request.user, Action.THINK_READ)
    page = selectors.expert_comments(
        expert=expert,
        page=request.GET.get("page"),
        with_text=permission.allowed,
    )
    context = {
        "expert": expert,
        "page": page,
        "can_read": permission.allowed,
        "message": permission.message,
    }
    return mark_cacheable_for_guests(request, render(request, "think/expert_detail.html", context))
