"""Japanese date formatting in Japan time: 2026年11月29日 5:30."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def to_jst(value: datetime) -> datetime:
    return value.astimezone(JST)


def format_jdatetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_jst(value)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"


def format_jdate(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_jst(value)
    return f"{value.year}年{value.month}月{value.day}日"


def format_jtime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_jst(value)
    return f"{local.hour}:{local.minute:02d}"
