"""What the API returns. Article text appears only in ArticleDetail.body, cut by the policy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from denshiban.newsroom.models import AccessLevel


class ErrorOut(Schema):
    detail: str


class SectionRef(Schema):
    slug: str
    title: str
    url: str


class SectionOut(SectionRef):
    description: str
    rss_url: str
    atom_url: str


class TopicRef(Schema):
    slug: str
    name: str
    url: str


class CompanyRef(Schema):
    code: str
    name: str
    url: str


class IndustryRef(Schema):
    slug: str
    name: str
    url: str


class ReporterRef(Schema):
    slug: str
    name: str
    bureau: str
    url: str


class SeriesRef(Schema):
    slug: str
    name: str
    kind: str
    url: str


class ArticleItem(Schema):
    id: int
    url: str
    headline: str
    lead: str
    section: SectionRef | None
    access_level: AccessLevel
    published_at: datetime | None
    updated_at: datetime | None
    is_updated: bool
    topics: list[TopicRef]
    companies: list[CompanyRef]


class ArticleListOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[ArticleItem]


class ArticleFilters(Schema):
    section: str | None = Field(None, description="セクションのスラッグ(例: economy)")
    topic: str | None = Field(None, description="トピックのスラッグ")
    series: str | None = Field(None, description="連載・コラムのスラッグ")
    company: str | None = Field(None, description="証券コード")
    access_level: AccessLevel | None = Field(None, description="free / member / paid")
    since: datetime | None = Field(None, description="この日時以降に公開された記事")
    until: datetime | None = Field(None, description="この日時以前に公開された記事")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class PhotoOut(Schema):
    url: str
    width: int
    height: int
    caption: str
    credit: str


class ParagraphBlock(Schema):
    type: Literal["paragraph"] = "paragraph"
    html: str
    text: str


class HeadingBlock(Schema):
    type: Literal["heading"] = "heading"
    text: str


class QuoteBlock(Schema):
    type: Literal["quote"] = "quote"
    text: str
    attribution: str


class ImageBlock(Schema):
    type: Literal["image"] = "image"
    url: str
    width: int
    height: int
    caption: str
    credit: str


class ChartBlock(Schema):
    type: Literal["chart"] = "chart"
    id: int
    title: str
    url: str


BodyBlock = Annotated[
    ParagraphBlock | HeadingBlock | QuoteBlock | ImageBlock | ChartBlock,
    Field(discriminator="type"),
]


class PaywallOut(Schema):
    reason: str
    offers: list[str]


class ArticleDetail(ArticleItem):
    dateline: str
    reporters: list[ReporterRef]
    series: SeriesRef | None
    industries: list[IndustryRef]
    photos: list[PhotoOut]
    body: list[BodyBlock] | None = Field(
        description="本文。全文を読める読者にだけ返し、それ以外は null。"
    )
    paywall: PaywallOut | None = Field(description="全文を読めないときの理由と案内")


class TopicOut(TopicRef):
    description: str
    related_topics: list[TopicRef]


class TopicDetail(TopicOut):
    latest: list[ArticleItem]


class SeriesOut(SeriesRef):
    description: str


class SeriesDetail(SeriesOut):
    latest: list[ArticleItem]


class CompanyOut(CompanyRef):
    description: str
    industry: IndustryRef


class CompanyDetail(CompanyOut):
    latest: list[ArticleItem]


class ChartSeriesOut(Schema):
    name: str
    values: list[float]


class ChartDataOut(Schema):
    label_heading: str
    labels: list[str]
    series: list[ChartSeriesOut]


class ChartOut(Schema):
    id: int
    title: str
    unit: str
    source: str
    note: str
    kind: str
    url: str
    data: ChartDataOut
