"""Body blocks an editor builds an article from."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("写真"))
    caption = blocks.CharBlock(label=_("キャプション"), max_length=200, required=False)
    credit = blocks.CharBlock(label=_("クレジット"), max_length=60, required=False)

    class Meta:
        icon = "image"
        label = _("写真")
        template = "newsroom/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引用"))
    attribution = blocks.CharBlock(label=_("発言者・出典"), max_length=120, required=False)

    class Meta:
        icon = "openquote"
        label = _("引用")
        template = "newsroom/blocks/quote.html"


class ChartBlock(blocks.StructBlock):
    chart = SnippetChooserBlock("charts.Chart", label=_("図表"))

    class Meta:
        icon = "table"
        label = _("図表")
        template = "newsroom/blocks/chart.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("段落"),
        features=["bold", "italic", "link"],
        template="newsroom/blocks/paragraph.html",
    )
    heading = blocks.CharBlock(
        label=_("小見出し"), max_length=80, icon="title", template="newsroom/blocks/heading.html"
    )
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    chart = ChartBlock()
