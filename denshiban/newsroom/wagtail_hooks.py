from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Company, Industry, Reporter, Series, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class SeriesViewSet(SnippetViewSet):
    model = Series
    icon = "list-ul"
    list_display = ["name", "kind"]
    list_filter = ["kind"]


class CompanyViewSet(SnippetViewSet):
    model = Company
    icon = "site"
    list_display = ["securities_code", "name", "industry"]
    list_filter = ["industry"]
    search_fields = ["name", "securities_code"]


class IndustryViewSet(SnippetViewSet):
    model = Industry
    icon = "folder-open-inverse"
    list_display = ["name", "slug"]


class ReporterViewSet(SnippetViewSet):
    model = Reporter
    icon = "user"
    list_display = ["name", "bureau"]
    search_fields = ["name", "bureau"]


class NewsroomGroup(SnippetViewSetGroup):
    menu_label = _("編集データ")
    menu_icon = "folder-open-1"
    menu_order = 200
    items = (TopicViewSet, SeriesViewSet, CompanyViewSet, IndustryViewSet, ReporterViewSet)


register_snippet(NewsroomGroup)
