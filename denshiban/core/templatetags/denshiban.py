from datetime import date, datetime

from django import template

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
