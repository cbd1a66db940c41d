"""The newspaper's content: sections, articles and the things articles are about."""

import secrets

from django import forms
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from denshiban.core.http import mark_cacheable_for_guests

from .blocks import ArticleBodyBlock


class AccessLevel(models.TextChoices):
    FREE = "free", _("無料")
    MEMBER = "member", _("会員限定")
    PAID = "paid", _("有料会員限定")


class Industry(index.Indexed, models.Model):
    name = models.CharField(_("業界名"), max_length=60, unique=True)
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True)
    description = models.TextField(_("説明"), blank=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("業界")
        verbose_name_plural = _("業界")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:industry", kwargs={"slug": self.slug})


class Company(index.Indexed, models.Model):
    name = models.CharField(_("企業名"), max_length=100)
    securities_code = models.CharField(
        _("証券コード"),
        max_length=4,
        unique=True,
        help_text=_("4桁の証券コード(例: 7203)。英字を含むコードも使えます。"),
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("業界"), on_delete=models.PROTECT, related_name="companies"
    )
    description = models.TextField(_("説明"), blank=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("securities_code"),
    ]

    class Meta:
        verbose_name = _("企業")
        verbose_name_plural = _("企業")
        ordering = ["securities_code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:company", kwargs={"code": self.securities_code})


class Topic(index.Indexed, models.Model):
    name = models.CharField(_("トピック名"), max_length=60, unique=True)
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True)
    description = models.TextField(_("説明"), blank=True)
    related_topics = models.ManyToManyField(
        "self", verbose_name=_("関連トピック"), blank=True, symmetrical=True
    )

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("トピック")
        verbose_name_plural = _("トピック")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:topic", kwargs={"slug": self.slug})


class SeriesKind(models.TextChoices):
    SERIES = "series", _("連載")
    COLUMN = "column", _("コラム")


class Series(index.Indexed, models.Model):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True)
    kind = models.CharField(_("種類"), max_length=10, choices=SeriesKind.choices)
    description = models.TextField(_("説明"), blank=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("連載・コラム")
        verbose_name_plural = _("連載・コラム")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:series", kwargs={"slug": self.slug})


class Reporter(index.Indexed, models.Model):
    name = models.CharField(_("氏名"), max_length=40)
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True)
    bureau = models.CharField(
        _("所属"), max_length=60, blank=True, help_text=_("例: ワシントン支局")
    )

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("記者")
        verbose_name_plural = _("記者")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:reporter", kwargs={"slug": self.slug})


class ReaderPageMixin:
    """Pages readers see state who may cache them."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        return mark_cacheable_for_guests(request, response)


class HomePage(ReaderPageMixin, Page):
    """The front page: the editors' top stories, then a block per section."""

    max_count = 1
    subpage_types = ["newsroom.SectionPage", "newsroom.ArticleIndexPage"]
    parent_page_types = ["wagtailcore.Page"]

    content_panels = [*Page.content_panels, InlinePanel("top_stories", label=_("トップ記事"))]

    class Meta:
        verbose_name = _("トップページ")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_page_context(home=self))
        return context


class HomeTopStory(Orderable):
    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="top_stories")
    article = models.ForeignKey(
        "newsroom.ArticlePage", verbose_name=_("記事"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("トップ記事")


class SectionPage(ReaderPageMixin, Page):
    """A section of the paper (政治・外交, 経済 …) with its 最新情報 list."""

    description = models.TextField(_("説明"), blank=True)
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    parent_page_types = ["newsroom.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*Page.content_panels, FieldPanel("description"), FieldPanel("position")]

    class Meta:
        verbose_name = _("セクション")
        ordering = ["position"]

    @property
    def public_path(self) -> str:
        # Sections sit directly under the home page, which is the site root.
        return f"/{self.slug}/"

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.section_page_context(section=self, page=request.GET.get("page")))
        return context


class ArticleIndexPage(ReaderPageMixin, Page):
    """The folder every article lives in; it routes /article/<id>/ to the article."""

    max_count = 1
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = ["newsroom.ArticlePage"]

    class Meta:
        verbose_name = _("記事フォルダ")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["latest"] = selectors.paginated_summaries(
            selectors.article_list(), request.GET.get("page")
        )
        return context

    def route(self, request, path_components):
        if len(path_components) == 1 and path_components[0].isdigit():
            article = (
                ArticlePage.objects.live()
                .filter(pk=int(path_components[0]), path__startswith=self.path)
                .first()
            )
            if article is not None:
                return RouteResult(article)
        return super().route(request, path_components)


class ArticlePageForm(WagtailAdminPageForm):
    """Says plainly which of the three essentials is missing; the editor's text stays."""

    ESSENTIALS = {"title": _("見出し"), "section": _("セクション"), "access_level": _("公開範囲")}

    def clean(self):
        cleaned = super().clean()
        missing = [str(label) for name, label in self.ESSENTIALS.items() if not cleaned.get(name)]
        if missing:
            raise forms.ValidationError(
                _("記事を保存できません。次の項目を入力してください: %(fields)s"),
                params={"fields": "、".join(missing)},
            )
        return cleaned


class ArticlePage(ReaderPageMixin, Page):
    lead = models.TextField(_("リード"), help_text=_("記事の冒頭。だれでも読める部分です。"))
    body = StreamField(ArticleBodyBlock(), verbose_name=_("本文"), blank=True)
    section = models.ForeignKey(
        SectionPage,
        verbose_name=_("セクション"),
        null=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    access_level = models.CharField(_("公開範囲"), max_length=10, choices=AccessLevel.choices)
    newsletter_unlock = models.BooleanField(
        _("ニュースレター登録で全文公開"),
        default=False,
        help_text=_("ゲストがニュースレターに登録すると全文を読めるようにします。"),
    )
    dateline = models.CharField(
        _("発信地"),
        max_length=30,
        blank=True,
        help_text=_("例: ワシントン。【ワシントン=記者名】と表示します。"),
    )
    reporters = ParentalManyToManyField(Reporter, verbose_name=_("記者"), blank=True)
    topics = ParentalManyToManyField(Topic, verbose_name=_("トピック"), blank=True)
    series = models.ForeignKey(
        Series,
        verbose_name=_("連載・コラム"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    companies = ParentalManyToManyField(Company, verbose_name=_("関連企業"), blank=True)
    industries = ParentalManyToManyField(Industry, verbose_name=_("関連業界"), blank=True)
    updated_at = models.DateTimeField(
        _("更新日時"),
        null=True,
        blank=True,
        help_text=_("内容を更新したときだけ入れます。入れると記事に「(更新)」と日時が出ます。"),
    )

    base_form_class = ArticlePageForm
    parent_page_types = ["newsroom.ArticleIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        FieldPanel(
            "title",
            heading=_("見出し"),
            help_text=_("記事の見出し。変えても記事のURLは変わりません。"),
        ),
        FieldPanel("lead"),
        FieldPanel("body"),
        InlinePanel("photos", label=_("写真ギャラリー")),
    ]
    classification_panels = [
        FieldPanel("section", required_on_save=True),
        FieldPanel("access_level", required_on_save=True),
        FieldPanel("newsletter_unlock"),
        MultiFieldPanel(
            [FieldPanel("dateline"), FieldPanel("reporters", widget=forms.CheckboxSelectMultiple)],
            heading=_("発信地と記者"),
        ),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("series"),
        FieldPanel("companies", widget=forms.CheckboxSelectMultiple),
        FieldPanel("industries", widget=forms.CheckboxSelectMultiple),
        FieldPanel("updated_at"),
    ]
    promote_panels = [FieldPanel("seo_title"), FieldPanel("search_description")]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("記事")),
            ObjectList(classification_panels, heading=_("分類・公開範囲")),
            ObjectList(promote_panels, heading=_("SEO")),
            ObjectList(Page.settings_panels, heading=_("公開予約"), classname="settings"),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.FilterField("access_level"),
    ]

    class Meta:
        verbose_name = _("記事")
        verbose_name_plural = _("記事")
        indexes = [models.Index(fields=["section", "access_level"])]

    def full_clean(self, *args, **kwargs):
        # The public address is /article/<id>/, so the tree slug only needs to be unique.
        if not self.slug:
            self.slug = secrets.token_hex(6)
        super().full_clean(*args, **kwargs)

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None or self.pk is None:
            return parts
        site_id, root_url, _path = parts
        return site_id, root_url, f"/article/{self.pk}/"

    @property
    def public_path(self) -> str:
        return f"/article/{self.pk}/"

    @property
    def is_updated(self) -> bool:
        return bool(
            self.updated_at
            and self.first_published_at
            and self.updated_at > self.first_published_at
        )

    @property
    def published_at(self):
        return self.first_published_at or self.go_live_at or self.latest_revision_created_at

    @property
    def shown_time(self):
        """The time a list shows: the update time when there is one, else first publication."""
        return self.updated_at if self.is_updated else self.published_at

    def get_context(self, request, *args, **kwargs):
        from denshiban.access.readers import reader_from_request

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(
            selectors.article_page_context(
                article=self,
                reader=reader_from_request(request),
                preview=getattr(request, "is_preview", False),
            )
        )
        return context


class ArticlePhoto(Orderable):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("写真"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("キャプション"), max_length=200, blank=True)
    credit = models.CharField(_("クレジット"), max_length=60, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption"), FieldPanel("credit")]

    class Meta(Orderable.Meta):
        verbose_name = _("写真")
        verbose_name_plural = _("写真")
