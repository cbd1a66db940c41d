"""Seeds the demo newspaper from every `content_*.py` module in this package.

Each content module defines INDUSTRIES, COMPANIES, TOPICS, SERIES, REPORTERS, CHARTS and
ARTICLES as lists of plain dicts (docs: briefs' content format; the field names below are the
contract). Reference data is merged by slug, code or key, the first module winning. Seeding is
idempotent: everything is looked up by its natural key (an article by the slug `demo-<key>`),
and a record is written only when what the content says differs from what is stored, so a
second run changes nothing.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from denshiban.accounts.management.demo import DEMO_ACCOUNTS, ensure_demo_accounts
from denshiban.billing.demo import seed_billing
from denshiban.charts.data import ChartDataError, parse_chart_data
from denshiban.charts.models import Chart
from denshiban.core.dates import JST
from denshiban.newsletters.services import ensure_default_newsletters
from denshiban.newsroom.models import (
    AccessLevel,
    ArticleIndexPage,
    ArticlePage,
    ArticlePhoto,
    Company,
    HomePage,
    HomeTopStory,
    Industry,
    Reporter,
    SectionPage,
    Series,
    SeriesKind,
    Topic,
)

from . import images

HOME_TITLE = "denshiban 電子版"
HOME_SLUG = "denshiban"
ARTICLE_INDEX_SLUG = "article"
ARTICLE_INDEX_TITLE = "記事"
ARTICLE_SLUG_PREFIX = "demo-"
TOP_STORY_COUNT = 5
MAX_DAYS_AGO = 13

# (slug, title, description), in the order the paper shows them.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("politics", "政治・外交", "国会と政府、選挙、外交・安全保障の動き。"),
    ("economy", "経済", "景気、物価、財政・金融政策、暮らしのお金。"),
    ("international", "国際", "米国、中国、欧州、アジアほか世界のニュース。"),
    ("business", "ビジネス", "企業の経営戦略、決算、業界の再編。"),
    ("markets", "マーケット", "株式、為替、金利、商品市場の動きと分析。"),
    ("technology", "テクノロジー", "AI、半導体、通信、スタートアップ。"),
    ("society", "社会", "事件・事故、災害、教育、医療と暮らし。"),
)
SECTION_SLUGS = frozenset(slug for slug, _title, _description in SECTIONS)

REFERENCE_KINDS: tuple[tuple[str, str], ...] = (
    ("INDUSTRIES", "slug"),
    ("COMPANIES", "code"),
    ("TOPICS", "slug"),
    ("SERIES", "slug"),
    ("REPORTERS", "slug"),
    ("CHARTS", "key"),
)
BLOCK_KINDS = {"p": 2, "h": 2, "quote": 3, "chart": 2}  # tuple length of each body block
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class DemoContentError(ValueError):
    """The content modules contradict themselves; the message lists every problem."""


@dataclass
class DemoContent:
    industries: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)
    reporters: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def content_module_names() -> list[str]:
    package = importlib.import_module(__package__)
    return sorted(
        f"{__package__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("content_")
    )


def load_content(module_names: list[str] | None = None) -> DemoContent:
    """Merge every content module; a module that is not written yet is simply absent.

    Reference data defined twice keeps its first definition, except that topics' related
    slugs are the union of what every module names.
    """
    content = DemoContent()
    seen: dict[str, dict[str, dict]] = {name: {} for name, _key in REFERENCE_KINDS}
    for module_name in module_names if module_names is not None else content_module_names():
        module = importlib.import_module(module_name)
        content.modules.append(module_name)
        for name, key in REFERENCE_KINDS:
            for item in getattr(module, name, []):
                first = seen[name].get(item[key])
                if first is None:
                    # A copy, so that related topics named by later modules can be added.
                    first = seen[name][item[key]] = {**item}
                    getattr(content, name.lower()).append(first)
                    continue
                if "related" in item:
                    extra = [slug for slug in item["related"] if slug not in first["related"]]
                    first["related"] = [*first["related"], *extra]
                if _without_related(first) != _without_related(item):
                    content.conflicts.append(
                        f"{name} {item[key]!r}: {module_name} の定義が先に読んだものと違います"
                    )
        content.articles.extend(getattr(module, "ARTICLES", []))
    return content


def _without_related(item: dict) -> dict:
    return {name: value for name, value in item.items() if name != "related"}


def structural_problems(content: DemoContent) -> list[str]:
    """Problems that make seeding impossible: unknown references, bad values, duplicates."""
    problems = []
    industries = {item["slug"] for item in content.industries}
    companies = {item["code"] for item in content.companies}
    topics = {item["slug"] for item in content.topics}
    series = {item["slug"] for item in content.series}
    reporters = {item["slug"] for item in content.reporters}
    charts = {item["key"] for item in content.charts}

    for company in content.companies:
        if company["industry"] not in industries:
            problems.append(f"企業 {company['code']}: 業界 {company['industry']!r} がありません")
        if len(company["code"]) != 4:
            problems.append(f"企業 {company['code']}: 証券コードは4文字です")
    for topic in content.topics:
        problems += [
            f"トピック {topic['slug']}: 関連トピック {slug!r} がありません"
            for slug in topic.get("related", [])
            if slug not in topics
        ]
    for item in content.series:
        if item["kind"] not in SeriesKind.values:
            problems.append(f"連載 {item['slug']}: kind {item['kind']!r} は使えません")
    titles = Counter(chart["title"] for chart in content.charts)
    for chart in content.charts:
        if titles[chart["title"]] > 1:
            problems.append(f"図表 {chart['key']}: タイトル {chart['title']!r} が重複しています")
        try:
            parse_chart_data(chart["data"], kind=chart["kind"])
        except ChartDataError as error:
            problems.append(f"図表 {chart['key']}: {error}")

    keys = Counter(article["key"] for article in content.articles)
    problems += [f"記事 {key}: key が重複しています" for key, n in keys.items() if n > 1]
    for article in content.articles:
        where = f"記事 {article['key']}"
        problems += _reference_problems(
            where,
            article,
            {
                "reporters": reporters,
                "topics": topics,
                "companies": companies,
                "industries": industries,
            },
        )
        if article["section"] not in SECTION_SLUGS:
            problems.append(f"{where}: セクション {article['section']!r} がありません")
        if article["series"] is not None and article["series"] not in series:
            problems.append(f"{where}: 連載 {article['series']!r} がありません")
        if article["access"] not in AccessLevel.values:
            problems.append(f"{where}: access {article['access']!r} は使えません")
        if not 0 <= article["days_ago"] <= MAX_DAYS_AGO:
            problems.append(f"{where}: days_ago は0〜{MAX_DAYS_AGO}です")
        if not TIME_PATTERN.match(article["time"]):
            problems.append(f"{where}: time {article['time']!r} は HH:MM ではありません")
        for block in article["body"]:
            if BLOCK_KINDS.get(block[0]) != len(block):
                problems.append(f"{where}: 本文のブロック {block[:1]!r} の形が違います")
            elif block[0] == "chart" and block[1] not in charts:
                problems.append(f"{where}: 図表 {block[1]!r} がありません")
    return problems


def _reference_problems(where: str, article: dict, known: dict[str, set[str]]) -> list[str]:
    return [
        f"{where}: {name} の {value!r} がありません"
        for name, values in known.items()
        for value in article.get(name, [])
        if value not in values
    ]


def article_length(article: dict) -> int:
    """Characters a reader reads: headline, lead and the text of every body block."""
    text = [article["headline"], article["lead"]]
    for block in article["body"]:
        if block[0] != "chart":
            text.extend(block[1:])
    return sum(len(part) for part in text)


def format_problems(content: DemoContent) -> list[str]:
    """Departures from the writing rules and merge conflicts; seeding still works."""
    problems = list(content.conflicts)
    for article in content.articles:
        where = f"記事 {article['key']}"
        checks = [
            (len(article["headline"]) <= 60, "見出しは60字以内"),
            (80 <= len(article["lead"]) <= 200, f"リードは80〜200字({len(article['lead'])}字)"),
            (4 <= len(article["body"]) <= 8, f"本文は4〜8ブロック({len(article['body'])})"),
            (
                400 <= article_length(article) <= 1200,
                f"全体で400〜1200字({article_length(article)}字)",
            ),
            (1 <= len(article["reporters"]) <= 2, "記者は1〜2人"),
            (len(article["topics"]) <= 3, "トピックは3つまで"),
            (len(article["companies"]) <= 3, "企業は3社まで"),
            (len(article.get("industries", [])) <= 2, "業界は2つまで"),
            (len(article["photos"]) <= 3, "写真は3枚まで"),
        ]
        problems += [f"{where}: {message}" for ok, message in checks if not ok]
    return problems


@dataclass
class SeedSummary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@transaction.atomic
def seed(*, now: datetime | None = None, content: DemoContent | None = None) -> SeedSummary:
    content = content or load_content()
    problems = structural_problems(content)
    if problems:
        raise DemoContentError("\n".join(problems))
    now = now or timezone.now()
    summary = SeedSummary()

    home = _ensure_home(summary)
    sections = _ensure_sections(home, summary)
    article_index = _ensure_article_index(home, summary)
    refs = _seed_reference_data(content, summary)
    articles = [
        _seed_article(
            spec, index=article_index, sections=sections, refs=refs, now=now, summary=summary
        )
        for spec in content.articles
    ]
    _set_top_stories(home, articles, summary)
    ensure_default_newsletters()
    _seed_accounts(now=now, summary=summary)

    summary.totals = {
        "セクション": len(sections),
        "記事": len(articles),
        "写真": sum(len(spec["photos"]) for spec in content.articles),
        "図表": len(content.charts),
        "トピック": len(content.topics),
        "連載・コラム": len(content.series),
        "企業": len(content.companies),
        "業界": len(content.industries),
        "記者": len(content.reporters),
        "アカウント": len(DEMO_ACCOUNTS),
    }
    return summary


def _seed_accounts(*, now: datetime, summary: SeedSummary) -> None:
    """The demo accounts (passwords reset to the printed ones), then their memberships."""
    emails = [account.email for account in DEMO_ACCOUNTS]
    existing = get_user_model().objects.filter(email__in=emails).count()
    changed = ensure_demo_accounts()
    created = len(emails) - existing
    if created:
        summary.created["アカウント"] += created
    if changed - created:
        summary.updated["アカウント"] += changed - created
    billing = seed_billing(now=now)
    summary.created.update(billing.created)
    summary.updated.update(billing.updated)


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _ensure_root() -> Page:
    """Wagtail's roots (page tree, image collections) and default locale.

    Migrations make them, but a test database flush removes them.
    """
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if not Locale.objects.exists():
        Locale.objects.create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))


def _ensure_home(summary: SeedSummary) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=HOME_TITLE, slug=HOME_SLUG, live=False)
        _ensure_root().add_child(instance=home)
        _publish(home)
        summary.created["トップページ"] += 1
    elif home.title != HOME_TITLE or not home.live:
        home.title = HOME_TITLE
        _publish(home)
        summary.updated["トップページ"] += 1

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=HOME_TITLE,
        )
        summary.created["サイト"] += 1
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or HOME_TITLE
        site.save()
        summary.updated["サイト"] += 1

    # Wagtail's initial "Welcome" page: a plain Page under the root that no site serves now.
    plain_page = ContentType.objects.get_for_model(Page)
    for leftover in Page.objects.filter(depth=2, content_type=plain_page).exclude(
        pk__in=Site.objects.values("root_page")
    ):
        leftover.delete()
        summary.updated["サイト"] += 1
    return home


def _ensure_sections(home: HomePage, summary: SeedSummary) -> dict[str, SectionPage]:
    sections = {}
    for position, (slug, title, description) in enumerate(SECTIONS, start=1):
        wanted = {"title": title, "description": description, "position": position}
        section = SectionPage.objects.child_of(home).filter(slug=slug).first()
        if section is None:
            section = SectionPage(slug=slug, live=False, **wanted)
            home.add_child(instance=section)
            _publish(section)
            summary.created["セクション"] += 1
        elif _assign(section, wanted) or not section.live:
            _publish(section)
            summary.updated["セクション"] += 1
        sections[slug] = section
    return sections


def _ensure_article_index(home: HomePage, summary: SeedSummary) -> ArticleIndexPage:
    index = ArticleIndexPage.objects.child_of(home).first()
    if index is None:
        index = ArticleIndexPage(title=ARTICLE_INDEX_TITLE, slug=ARTICLE_INDEX_SLUG, live=False)
        home.add_child(instance=index)
        _publish(index)
        summary.created["記事フォルダ"] += 1
    elif (
        _assign(index, {"title": ARTICLE_INDEX_TITLE, "slug": ARTICLE_INDEX_SLUG}) or not index.live
    ):
        _publish(index)
        summary.updated["記事フォルダ"] += 1
    return index


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert[M: models.Model](
    model: type[M], lookup: dict[str, Any], values: dict[str, Any], summary: SeedSummary, label: str
) -> M:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        summary.created[label] += 1
    elif _assign(obj, values):
        obj.save()
        summary.updated[label] += 1
    return obj


@dataclass
class References:
    industries: dict[str, Industry]
    companies: dict[str, Company]
    topics: dict[str, Topic]
    series: dict[str, Series]
    reporters: dict[str, Reporter]
    charts: dict[str, Chart]


def _seed_reference_data(content: DemoContent, summary: SeedSummary) -> References:
    industries = {
        item["slug"]: _upsert(
            Industry,
            {"slug": item["slug"]},
            {"name": item["name"], "description": item["description"]},
            summary,
            "業界",
        )
        for item in content.industries
    }
    companies = {
        item["code"]: _upsert(
            Company,
            {"securities_code": item["code"]},
            {
                "name": item["name"],
                "industry_id": industries[item["industry"]].pk,
                "description": item["description"],
            },
            summary,
            "企業",
        )
        for item in content.companies
    }
    topics = {
        item["slug"]: _upsert(
            Topic,
            {"slug": item["slug"]},
            {"name": item["name"], "description": item["description"]},
            summary,
            "トピック",
        )
        for item in content.topics
    }
    _relate_topics(content.topics, topics, summary)
    series = {
        item["slug"]: _upsert(
            Series,
            {"slug": item["slug"]},
            {"name": item["name"], "kind": item["kind"], "description": item["description"]},
            summary,
            "連載・コラム",
        )
        for item in content.series
    }
    reporters = {
        item["slug"]: _upsert(
            Reporter,
            {"slug": item["slug"]},
            {"name": item["name"], "bureau": item["bureau"]},
            summary,
            "記者",
        )
        for item in content.reporters
    }
    # Charts have no slug of their own; the title is unique in the demo and serves as the key.
    charts = {
        item["key"]: _upsert(
            Chart,
            {"title": item["title"]},
            {name: item[name] for name in ("unit", "source", "note", "kind", "data")},
            summary,
            "図表",
        )
        for item in content.charts
    }
    return References(industries, companies, topics, series, reporters, charts)


def _relate_topics(specs: list[dict], topics: dict[str, Topic], summary: SeedSummary) -> None:
    # The relation is symmetrical: a link named on either side belongs to both topics.
    wanted: dict[str, set[int]] = {slug: set() for slug in topics}
    for spec in specs:
        for other in spec.get("related", []):
            wanted[spec["slug"]].add(topics[other].pk)
            wanted[other].add(topics[spec["slug"]].pk)
    for slug, topic in topics.items():
        if set(topic.related_topics.values_list("pk", flat=True)) != wanted[slug]:
            topic.related_topics.set(wanted[slug])
            summary.updated["関連トピック"] += 1


def article_time(spec: dict, *, now: datetime) -> tuple[datetime, datetime | None]:
    """Publication and update time: `days_ago` days before today (JST), never in the future."""
    today: date = now.astimezone(JST).date()
    hour, minute = (int(part) for part in spec["time"].split(":"))
    published = datetime.combine(
        today - timedelta(days=spec["days_ago"]), time(hour, minute), tzinfo=JST
    )
    minutes = spec.get("updated_after_minutes")
    shown = published + timedelta(minutes=minutes or 0)
    if shown > now:
        published -= timedelta(days=1)
    updated = published + timedelta(minutes=minutes) if minutes else None
    return published, updated


def _body(spec: dict, charts: dict[str, Chart]) -> list[dict]:
    blocks = []
    for block in spec["body"]:
        match block:
            case ("p", text):
                blocks.append(
                    {"type": "paragraph", "value": f"<p>{html.escape(text, quote=False)}</p>"}
                )
            case ("h", text):
                blocks.append({"type": "heading", "value": text})
            case ("quote", text, attribution):
                blocks.append(
                    {"type": "quote", "value": {"text": text, "attribution": attribution}}
                )
            case ("chart", key):
                blocks.append({"type": "chart", "value": {"chart": charts[key].pk}})
    return blocks


def _stored_body(article: ArticlePage) -> list[dict]:
    return [{"type": block["type"], "value": block["value"]} for block in article.body.raw_data]


def _seed_article(
    spec: dict,
    *,
    index: ArticleIndexPage,
    sections: dict[str, SectionPage],
    refs: References,
    now: datetime,
    summary: SeedSummary,
) -> ArticlePage:
    published, updated = article_time(spec, now=now)
    slug = f"{ARTICLE_SLUG_PREFIX}{spec['key']}"
    fields = {
        "title": spec["headline"],
        "lead": spec["lead"],
        "section_id": sections[spec["section"]].pk,
        "access_level": spec["access"],
        "newsletter_unlock": spec["newsletter_unlock"],
        "dateline": spec["dateline"],
        "series_id": refs.series[spec["series"]].pk if spec["series"] else None,
        "first_published_at": published,
        "updated_at": updated,
    }
    relations: dict[str, list[models.Model]] = {
        "reporters": [refs.reporters[slug] for slug in spec["reporters"]],
        "topics": [refs.topics[slug] for slug in spec["topics"]],
        "companies": [refs.companies[code] for code in spec["companies"]],
        "industries": [refs.industries[slug] for slug in spec.get("industries", [])],
    }
    body = _body(spec, refs.charts)
    photos = [
        (images.demo_photo(key=f"{spec['key']}-{number}", title=caption).pk, caption, credit)
        for number, (caption, credit) in enumerate(spec["photos"], start=1)
    ]

    article = ArticlePage.objects.filter(slug=slug).first()
    if article is not None and _article_matches(article, fields, relations, body, photos):
        return article

    is_new = article is None
    if is_new:
        article = ArticlePage(slug=slug, live=False)
    _assign(article, fields)
    article.body = body
    for name, objs in relations.items():
        # Instances, not pks: modelcluster keeps instances in memory until the page is saved.
        getattr(article, name).set(objs)
    article.photos = [
        ArticlePhoto(image_id=image_id, caption=caption, credit=credit, sort_order=order)
        for order, (image_id, caption, credit) in enumerate(photos)
    ]
    if is_new:
        index.add_child(instance=article)
    _publish(article)
    _backdate(article, published=published, updated=updated)
    (summary.created if is_new else summary.updated)["記事"] += 1
    return article


def _article_matches(
    article: ArticlePage,
    fields: dict[str, Any],
    relations: dict[str, list[models.Model]],
    body: list[dict],
    photos: list[tuple[int, str, str]],
) -> bool:
    return (
        article.live
        and all(getattr(article, name) == value for name, value in fields.items())
        and all(
            set(getattr(article, name).values_list("pk", flat=True)) == {obj.pk for obj in objs}
            for name, objs in relations.items()
        )
        and _stored_body(article) == body
        and [(p.image_id, p.caption, p.credit) for p in article.photos.all()] == photos
    )


def _backdate(article: ArticlePage, *, published: datetime, updated: datetime | None) -> None:
    """Publishing stamps 'now'; the demo's dates are the content's, in the page and revisions."""
    ArticlePage.objects.filter(pk=article.pk).update(
        first_published_at=published,
        last_published_at=updated or published,
        latest_revision_created_at=updated or published,
        updated_at=updated,
    )
    article.revisions.update(created_at=updated or published)
    article.refresh_from_db(
        fields=["first_published_at", "last_published_at", "latest_revision_created_at"]
    )


def _set_top_stories(home: HomePage, articles: list[ArticlePage], summary: SeedSummary) -> None:
    """The newest article of each of the five most recently active sections."""
    picks: list[ArticlePage] = []
    seen_sections: set[int] = set()
    for article in sorted(articles, key=lambda a: (a.first_published_at, a.pk), reverse=True):
        if article.section_id not in seen_sections:
            seen_sections.add(article.section_id)
            picks.append(article)
        if len(picks) == TOP_STORY_COUNT:
            break
    current = list(home.top_stories.order_by("sort_order").values_list("article_id", flat=True))
    if current == [article.pk for article in picks]:
        return
    home.top_stories = [
        HomeTopStory(article=article, sort_order=order) for order, article in enumerate(picks)
    ]
    _publish(home)
    summary.updated["トップ記事"] += 1
