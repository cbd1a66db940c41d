from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from denshiban.core import views as core_views
from denshiban.core.robots import robots_txt
from denshiban.newsroom import feeds
from denshiban.newsroom.sitemaps import sitemap

handler404 = "denshiban.core.views.page_not_found"
handler500 = "denshiban.core.views.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("account/", include("denshiban.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("billing/", include("denshiban.billing.urls")),
    path("charts/", include("denshiban.charts.urls")),
    path("newsletters/", include("denshiban.newsletters.urls")),
    path("think/", include("denshiban.think.urls")),
    path("experts/", include("denshiban.think.expert_urls")),
    path("", include("denshiban.mynews.urls")),
    path("", include("denshiban.newsroom.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    urlpatterns += [path("__errors__/500/", core_views.server_error)]

urlpatterns += [
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("feeds/<slug:section_slug>/rss/", feeds.SectionArticlesFeed(), name="section-feed-rss"),
    path(
        "feeds/<slug:section_slug>/atom/", feeds.SectionArticlesAtomFeed(), name="section-feed-atom"
    ),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("api/v1/", include("denshiban.api.urls")),
]

urlpatterns += [path("", include(wagtail_urls))]
