from django.conf import settings
from django.http import HttpRequest

from denshiban.newsroom import selectors


def site_navigation(request: HttpRequest) -> dict:
    return {
        "nav_sections": selectors.nav_sections(),
        "SITE_NAME": settings.SITE_NAME,
        "login_url": settings.LOGIN_URL,
    }
