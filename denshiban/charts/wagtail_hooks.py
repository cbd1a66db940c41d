from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Chart


class ChartViewSet(SnippetViewSet):
    model = Chart
    icon = "table"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "kind", "source", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title"]


register_snippet(ChartViewSet)
