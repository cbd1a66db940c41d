"""図表: a chart is data first; the picture is drawn from it on the server."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from .data import ChartData, ChartDataError, parse_chart_data
from .svg import describe


class ChartKind(models.TextChoices):
    BAR = "bar", _("棒グラフ")
    LINE = "line", _("折れ線グラフ")
    PIE = "pie", _("円グラフ")
    TABLE = "table", _("表")


class Chart(index.Indexed, models.Model):
    title = models.CharField(_("タイトル"), max_length=120)
    unit = models.CharField(_("単位"), max_length=30, blank=True, help_text=_("例: 億円、%、万人"))
    source = models.CharField(_("出所"), max_length=200, blank=True)
    note = models.CharField(_("注"), max_length=300, blank=True)
    kind = models.CharField(_("種類"), max_length=10, choices=ChartKind.choices)
    data = models.TextField(
        _("データ"),
        help_text=_(
            "1行目は見出し(1列目は項目名、2列目以降は系列名)。2行目以降は「項目,値,値…」。"
            "カンマまたはタブ区切りで、表計算ソフトから貼り付けられます。"
        ),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("kind"),
        FieldPanel("unit"),
        FieldPanel("data"),
        FieldPanel("source"),
        FieldPanel("note"),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("図表")
        verbose_name_plural = _("図表")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("charts:detail", kwargs={"chart_id": self.pk})

    def clean(self) -> None:
        super().clean()
        try:
            parse_chart_data(self.data, kind=self.kind)
        except ChartDataError as error:
            raise ValidationError({"data": str(error)}) from error

    @property
    def parsed(self) -> ChartData:
        return parse_chart_data(self.data, kind=self.kind)

    def summary(self) -> str:
        """One sentence saying what the chart shows; empty when its data cannot be read."""
        try:
            data = self.parsed
        except ChartDataError:
            return ""
        return describe(data, kind=self.kind, kind_label=self.get_kind_display(), unit=self.unit)
