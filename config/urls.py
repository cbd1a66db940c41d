from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from denshiban.core import views as core_views

handler404 = "denshiban.core.views.page_not_found"
handler500 = "denshiban.core.views.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("charts/", include("denshiban.charts.urls")),
    path("", include("denshiban.newsroom.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    urlpatterns += [path("__errors__/500/", core_views.server_error)]

urlpatterns += [path("", include(wagtail_urls))]
