"""Follows (services) and the Myニュース list built from them (selectors).

A follow is (member, kind, target id). Targets are topics, series, companies, industries,
keywords (whose Follow rows are the keyword registrations of registrations.py: following
and unfollowing a keyword go through it, so a Keyword nobody wants any more is removed)
and Think!'s experts when that app is installed.

Myニュース reads FeedEntry (feed.py keeps it): one index range per follow — `kind = ? AND
target_id = ? ORDER BY published_at DESC LIMIT offset + page` — glued with UNION ALL,
grouped by article and cut to the page, in ONE query whatever the number of follows. An
article in the first N of the union is in the first N of each follow that brought it, so
the per-follow limit loses nothing. On PostgreSQL the same ranges are a LATERAL join over
the follows (one plan instead of fifty; see `_lateral_sql`). Then one query for the
page's summaries and at most one per kind for the names shown as labels and tabs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from denshiban.access.permissions import Action, Permission, check
from denshiban.newsroom.models import Company, Industry, Series, Topic
from denshiban.newsroom.selectors import ArticleSummary, article_list, summaries

from .models import Follow, FollowKind, Keyword, MyNewsVisit

# Keywords have their own limit (registrations.MAX_KEYWORDS_PER_MEMBER).
FOLLOW_LIMIT = 500
PER_PAGE = 20
# Deeper pages cost (page × PER_PAGE) rows per follow; nobody reads 1,000 items back.
MAX_PAGE = 50
# SQLite refuses a compound SELECT of more than 500 terms: nest them by this many.
UNION_CHUNK = 100


class FollowError(Exception):
    """A follow or unfollow that cannot be done; `message` is what the reader is told."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FollowRefused(FollowError):
    """Guests (401) and free or lapsed members (403) may not follow."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.message)
        self.permission = permission
        self.status = permission.status


class TargetNotFound(FollowError):
    status = 404

    def __init__(self) -> None:
        super().__init__(_("フォローする対象が見つかりませんでした。"))


class FollowLimitReached(FollowError):
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _("フォローできるのは%(limit)d件までです。不要なフォローを解除してからお試しください。")
            % {"limit": FOLLOW_LIMIT}
        )


# --- targets ------------------------------------------------------------------------------


def expert_model() -> type[models.Model] | None:
    """Think!'s Expert, when that app is installed."""
    try:
        return apps.get_model("think", "Expert")
    except LookupError:
        return None


def target_model(kind: str) -> tuple[type[models.Model], str] | None:
    """The model a kind's target ids point at, and the field that names one."""
    if kind == FollowKind.EXPERT:
        model = expert_model()
        return (model, "name") if model is not None else None
    return {
        FollowKind.TOPIC: (Topic, "name"),
        FollowKind.SERIES: (Series, "name"),
        FollowKind.COMPANY: (Company, "name"),
        FollowKind.INDUSTRY: (Industry, "name"),
        FollowKind.KEYWORD: (Keyword, "text"),
    }.get(kind)


def target_name(kind: str, target_id: int) -> str:
    found = target_model(kind)
    if found is None:
        raise TargetNotFound
    model, name_field = found
    name = model._default_manager.filter(pk=target_id).values_list(name_field, flat=True).first()
    if name is None:
        raise TargetNotFound
    return name


def parse_target(kind: Any, target_id: Any) -> tuple[str, int]:
    """Checks a (kind, id) pair typed into a form or a request; TargetNotFound if bad."""
    if kind not in FollowKind.values:
        raise TargetNotFound
    try:
        number = int(target_id)
    except (TypeError, ValueError):
        raise TargetNotFound from None
    if number <= 0 or number > 2**62:
        raise TargetNotFound
    return str(kind), number


# --- services -----------------------------------------------------------------------------


def require_permission(user: Any) -> None:
    permission = check(user, Action.FOLLOW)
    if not permission.allowed:
        raise FollowRefused(permission)


@transaction.atomic
def follow(*, user: Any, kind: str, target_id: int) -> Follow:
    """Follow a target; following it again returns the existing follow."""
    require_permission(user)
    kind, target_id = parse_target(kind, target_id)
    name = target_name(kind, target_id)
    existing = Follow.objects.filter(user=user, kind=kind, target_id=target_id).first()
    if existing is not None:
        return existing
    if kind == FollowKind.KEYWORD:
        return _register_keyword(user=user, text=name)
    # Two follows by one member at once must not both pass the limit.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    if Follow.objects.filter(user=user).exclude(kind=FollowKind.KEYWORD).count() >= FOLLOW_LIMIT:
        raise FollowLimitReached
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, kind=kind, target_id=target_id, label=name)
    except IntegrityError:
        # The same press twice at once: the other request created it.
        return Follow.objects.get(user=user, kind=kind, target_id=target_id)


def _register_keyword(*, user: Any, text: str) -> Follow:
    from .registrations import KeywordInvalid, register_keyword

    try:
        registered = register_keyword(user=user, raw=text)
    except KeywordInvalid as invalid:
        raise FollowError(invalid.message) from invalid
    return Follow.objects.get(user=user, kind=FollowKind.KEYWORD, target_id=registered.id)


@transaction.atomic
def unfollow(*, user: Any, kind: str, target_id: int) -> None:
    """Stop following; a target that was not followed (or no longer exists) is fine."""
    require_permission(user)
    kind, target_id = parse_target(kind, target_id)
    if kind == FollowKind.KEYWORD:
        from .registrations import KeywordNotFound, remove_keyword

        try:
            remove_keyword(user=user, keyword_id=target_id)
        except KeywordNotFound:
            pass
        return
    Follow.objects.filter(user=user, kind=kind, target_id=target_id).delete()


def record_visit(*, user: Any, now: datetime | None = None) -> MyNewsVisit:
    """Opening Myニュース: what was new is measured from the visit before this one."""
    now = now or timezone.now()
    visit = MyNewsVisit.objects.filter(user=user).first()
    if visit is None:
        return MyNewsVisit.objects.create(user=user, seen_at=now, previous_seen_at=None)
    MyNewsVisit.objects.filter(pk=visit.pk).update(previous_seen_at=visit.seen_at, seen_at=now)
    visit.previous_seen_at, visit.seen_at = visit.seen_at, now
    return visit


# --- selectors ----------------------------------------------------------------------------


def previous_visit(*, user: Any) -> datetime | None:
    """The visit before the current one, for pages that do not count as a new visit."""
    return MyNewsVisit.objects.filter(user=user).values_list("previous_seen_at", flat=True).first()


def followed_keys(user: Any, *, request: Any = None) -> frozenset[tuple[str, int]]:
    """Everything the member follows, as (kind, target id); once per request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    memo = getattr(request, "_mynews_followed_keys", None) if request is not None else None
    if memo is None:
        memo = frozenset(
            (kind, target_id)
            for kind, target_id in Follow.objects.filter(user=user).values_list("kind", "target_id")
        )
        if request is not None:
            request._mynews_followed_keys = memo
    return memo


def forget_followed_keys(request: Any) -> None:
    if hasattr(request, "_mynews_followed_keys"):
        del request._mynews_followed_keys


def member_follows(user: Any) -> list[Follow]:
    """The member's follows, newest first (one query)."""
    return list(Follow.objects.filter(user=user).order_by("-created_at", "-id"))


@dataclass(frozen=True, slots=True)
class FollowedItem:
    """A follow with the name readers see: `label` is トピック「トランプ政権」."""

    id: int
    kind: str
    target_id: int
    name: str
    kind_label: str
    label: str
    created_at: datetime
    # The followed object when it still exists; its address is worked out only if shown.
    target: Any = None

    @property
    def url(self) -> str:
        return _url_for(self.kind, self.target) if self.target is not None else ""


def _url_for(kind: str, obj: Any) -> str:
    url = getattr(obj, "get_absolute_url", None)
    if kind == FollowKind.KEYWORD or url is None:
        return ""
    try:
        return url()
    except Exception:  # noqa: BLE001 - a target without an address is simply not linked
        return ""


def named_follows(follows: list[Follow]) -> list[FollowedItem]:
    """Names for the follows: one query per kind present (at most six), none for keywords.

    A keyword is shown as the member typed it. A target deleted since it was followed keeps
    the name it had then.
    """
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for item in follows:
        if item.kind != FollowKind.KEYWORD:
            ids_by_kind[item.kind].append(item.target_id)
    targets: dict[tuple[str, int], Any] = {}
    for kind, ids in ids_by_kind.items():
        found = target_model(kind)
        if found is None:
            continue
        model, _name = found
        for obj in model._default_manager.filter(pk__in=ids).order_by():
            targets[(kind, obj.pk)] = obj
    kind_labels = {kind: str(label) for kind, label in FollowKind.choices}
    template = _("%(kind)s「%(name)s」")
    named = []
    for item in follows:
        obj = targets.get((item.kind, item.target_id))
        found = target_model(item.kind) if obj is not None else None
        name = (getattr(obj, found[1]) if found else "") or item.label
        kind_label = kind_labels.get(item.kind, item.kind)
        named.append(
            FollowedItem(
                id=item.pk,
                kind=item.kind,
                target_id=item.target_id,
                name=name,
                kind_label=kind_label,
                label=template % {"kind": kind_label, "name": name},
                created_at=item.created_at,
                target=obj,
            )
        )
    return named


@dataclass(frozen=True, slots=True)
class FeedRow:
    article_id: int
    published_at: datetime
    follow_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FeedItem:
    article: ArticleSummary
    labels: list[FollowedItem]
    is_new: bool


@dataclass
class MyNewsPage:
    items: list[FeedItem]
    number: int
    has_next: bool
    follows: list[FollowedItem] = field(default_factory=list)
    selected: FollowedItem | None = None
    previous_seen_at: datetime | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _aggregate_ids() -> str:
    if connection.vendor == "postgresql":
        return "string_agg(CAST(follow_id AS text), ',')"
    return "group_concat(follow_id, ',')"


def _union(parts: list[str]) -> str:
    """UNION ALL of `parts`, nested by UNION_CHUNK so SQLite's term limit is never met."""
    if len(parts) <= UNION_CHUNK:
        return " UNION ALL ".join(parts)
    chunks = [parts[i : i + UNION_CHUNK] for i in range(0, len(parts), UNION_CHUNK)]
    return " UNION ALL ".join(
        f"SELECT * FROM ({' UNION ALL '.join(chunk)}) AS c{number}"  # noqa: S608 - our SQL
        for number, chunk in enumerate(chunks)
    )


def _union_sql(follows: list[Follow], depth: int) -> tuple[str, list[Any]]:
    """The follows' ranges as a UNION ALL of small subqueries (SQLite)."""
    # Only our own fragments are joined into the SQL; every value is a parameter.
    table = connection.ops.quote_name("mynews_feedentry")
    parts, params = [], []
    for number, item in enumerate(follows):
        parts.append(
            "SELECT * FROM (SELECT %s AS follow_id, article_id, published_at FROM "  # noqa: S608
            + table
            + " WHERE kind = %s AND target_id = %s"
            + " ORDER BY published_at DESC, article_id DESC LIMIT %s) AS f"
            + str(number)
        )
        params += [item.pk, item.kind, item.target_id, depth]
    return _union(parts), params


def _lateral_sql(follows: list[Follow], depth: int) -> tuple[str, list[Any]]:
    """The same ranges as a LATERAL join over the follows (PostgreSQL).

    One subquery planned once and run per follow: planning fifty subqueries of a union
    took PostgreSQL longer than running them (bench/mynews.py).
    """
    values = ", ".join(["(%s::bigint, %s::varchar, %s::bigint)"] * len(follows))
    params: list[Any] = []
    for item in follows:
        params += [item.pk, item.kind, item.target_id]
    sql = (
        "SELECT f.follow_id, e.article_id, e.published_at FROM (VALUES "  # noqa: S608
        + values
        + ") AS f(follow_id, kind, target_id) CROSS JOIN LATERAL ("
        + "SELECT article_id, published_at FROM mynews_feedentry AS m"
        + " WHERE m.kind = f.kind AND m.target_id = f.target_id"
        + " ORDER BY published_at DESC, article_id DESC LIMIT %s) AS e"
    )
    return sql, [*params, depth]


def feed_rows(follows: list[Follow], *, offset: int, limit: int) -> list[FeedRow]:
    """The articles of `follows`, newest first, rows offset..offset+limit (ONE query)."""
    if not follows:
        return []
    depth = offset + limit
    if connection.vendor == "postgresql":
        ranges, params = _lateral_sql(follows, depth)
    else:
        ranges, params = _union_sql(follows, depth)
    sql = (
        "SELECT article_id, MAX(published_at) AS published, "  # noqa: S608
        + _aggregate_ids()
        + " FROM ("
        + ranges
        + ") AS entries GROUP BY article_id"
        + " ORDER BY published DESC, article_id DESC LIMIT %s OFFSET %s"
    )
    params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        FeedRow(
            article_id=article_id,
            published_at=_as_datetime(published),
            follow_ids=tuple(sorted({int(x) for x in str(ids).split(",")})),
        )
        for article_id, published, ids in rows
    ]


def _as_datetime(value: Any) -> datetime:
    """SQLite gives MAX() of a datetime column back as text."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a datetime: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=timezone.UTC)


def feed_articles(rows: list[FeedRow]) -> dict[int, ArticleSummary]:
    """The live articles among `rows` as list items (one query)."""
    if not rows:
        return {}
    wanted = [row.article_id for row in rows]
    # The order is the feed's; sorting here again would be wasted.
    found = summaries(article_list().filter(pk__in=wanted).order_by())
    return {summary.pk: summary for summary in found}


def mynews_page(
    *,
    user: Any,
    page: int = 1,
    follow_id: int | None = None,
    previous_seen_at: datetime | None = None,
) -> MyNewsPage:
    """A page of Myニュース, narrowed to one follow when `follow_id` is given.

    Raises Follow.DoesNotExist when `follow_id` is not one of the member's follows.
    Queries: the member's follows, the feed, the summaries, one per kind for the names.
    """
    page = max(1, min(page, MAX_PAGE))
    follows = member_follows(user)
    selected_follows = follows
    if follow_id is not None:
        selected_follows = [f for f in follows if f.pk == follow_id]
        if not selected_follows:
            raise Follow.DoesNotExist
    rows = feed_rows(selected_follows, offset=(page - 1) * PER_PAGE, limit=PER_PAGE + 1)
    has_next = len(rows) > PER_PAGE and page < MAX_PAGE
    rows = rows[:PER_PAGE]
    articles = feed_articles(rows)
    named = named_follows(follows)
    by_id = {item.id: item for item in named}
    items = [
        FeedItem(
            article=articles[row.article_id],
            labels=[by_id[i] for i in row.follow_ids if i in by_id],
            is_new=previous_seen_at is not None and row.published_at > previous_seen_at,
        )
        for row in rows
        if row.article_id in articles
    ]
    return MyNewsPage(
        items=items,
        number=page,
        has_next=has_next,
        follows=named,
        selected=by_id.get(follow_id) if follow_id is not None else None,
        previous_seen_at=previous_seen_at,
    )


def popular_topics(limit: int = 6) -> list[Topic]:
    """What to suggest on an empty Myニュース: the topics most members follow, else any."""
    counts = (
        Follow.objects.filter(kind=FollowKind.TOPIC)
        .values("target_id")
        .annotate(n=models.Count("id"))
        .order_by("-n")[:limit]
    )
    topic_ids = [row["target_id"] for row in counts]
    topics = {t.pk: t for t in Topic.objects.filter(pk__in=topic_ids)}
    chosen = [topics[pk] for pk in topic_ids if pk in topics]
    if len(chosen) < limit:
        chosen += list(
            Topic.objects.exclude(pk__in=topic_ids).order_by("name")[: limit - len(chosen)]
        )
    return chosen
