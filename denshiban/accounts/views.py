from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from denshiban.billing import selectors as billing_selectors

from . import selectors


@login_required
@cache_control(private=True, no_store=True)
def account(request: HttpRequest) -> HttpResponse:
    """マイアカウント: membership, billing history, and the ways to change them."""
    context = {
        "membership": selectors.membership(request.user),
        "payments": billing_selectors.billing_history(request.user),
    }
    return render(request, "accounts/account.html", context)
