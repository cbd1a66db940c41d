from datetime import date, datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from denshiban.core import dates

register = template.Library()


@register.filter
def jdatetime(value: datetime | None) -> str:
    return dates.format_jdatetime(value)


@register.filter
def jdate(value: datetime | date | None) -> str:
    return dates.format_jdate(value)


@register.filter
def jtime(value: datetime | None) -> str:
    return dates.format_jtime(value)


_BADGES = {
    "paid": ("badge--paid", gettext_lazy("有料会員限定")),
    "member": ("badge--member", gettext_lazy("会員限定")),
}


@register.simple_tag
def access_badge(access_level: str) -> str:
    """The 有料会員限定 / 会員限定 mark beside a headline (free articles carry none).

    A tag rather than an included template: every list item shows one.
    """
    if access_level not in _BADGES:
        return ""
    css_class, label = _BADGES[access_level]
    return format_html('<span class="badge {}">{}</span>', css_class, label)
