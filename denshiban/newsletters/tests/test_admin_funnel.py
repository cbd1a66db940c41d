"""登録ファネル in the admin: the period form, the numbers, who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.core.dates import JST
from denshiban.newsletters.models import FunnelDay, Subscriber, SubscriberStatus
from denshiban.newsroom.tests.factories import add_article

pytestmark = pytest.mark.django_db

FUNNEL_URL = reverse("newsletter_funnel:index")


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))


def today():
    return timezone.now().astimezone(JST).date()


def shown(article, *, days_ago=0, shown=10, submitted=2):
    FunnelDay.objects.create(
        day=today() - timedelta(days=days_ago), article=article, shown=shown, submitted=submitted
    )


def confirmed_from(article, email):
    now = timezone.now()
    Subscriber.objects.create(
        email=email,
        status=SubscriberStatus.CONFIRMED,
        consent_text="同意",
        consented_at=now,
        confirmed_at=now,
        source_article=article,
    )


def step(html: str, name: str) -> str:
    marker = f'data-step="{name}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_the_report_shows_the_last_thirty_days_by_default(client, editor, article):
    shown(article, shown=40, submitted=8)
    shown(article, days_ago=29, shown=10, submitted=2)
    shown(article, days_ago=30, shown=1000, submitted=100)  # one day too old
    confirmed_from(article, "a@example.jp")
    response = client.get(FUNNEL_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "登録ファネル" in html
    assert (step(html, "shown"), step(html, "submitted"), step(html, "confirmed")) == (
        "50",
        "10",
        "1",
    )
    assert step(html, "paid") == "0"
    assert "20.0%" in html  # submitted per shown
    assert article.title in html


def test_the_report_for_a_chosen_period_and_article(client, editor, site, article):
    other = add_article(index=site["index"], section=site["section"], title="円相場の行方")
    shown(article, days_ago=3, shown=40, submitted=8)
    shown(other, days_ago=3, shown=7, submitted=1)
    start = (today() - timedelta(days=5)).isoformat()
    end = today().isoformat()
    html = client.get(FUNNEL_URL, {"start": start, "end": end, "article": other.pk}).content
    html = html.decode()
    assert step(html, "shown") == "7"
    assert "円相場の行方" in html
    assert f'value="{start}"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05-10", "end": "2026-05-01"}, "終了日は開始日と同じか、それより後の日付"),
        ({"start": "2026-13-01", "end": "2026-05-01"}, "開始日を正しく入力してください"),
        ({"start": "2024-01-01", "end": "2026-05-01"}, "期間は366日以内で指定してください。"),
        ({"article": "999999"}, "記事が見つかりません。選び直してください。"),
    ],
)
def test_a_bad_period_is_explained_and_kept(client, editor, params, message):
    response = client.get(FUNNEL_URL, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'data-step="shown"' not in html
    if "start" in params:
        assert params["start"] in html


def test_the_report_runs_a_fixed_number_of_queries(
    client, editor, site, article, django_assert_max_num_queries
):
    shown(article)
    client.get(FUNNEL_URL)
    with CaptureQueriesContext(connection) as first:
        client.get(FUNNEL_URL)
    for n in range(6):
        extra = add_article(index=site["index"], section=site["section"], title=f"記事{n}")
        shown(extra, days_ago=n)
        confirmed_from(extra, f"r{n}@example.jp")
    with django_assert_max_num_queries(len(first)):
        html = client.get(FUNNEL_URL).content.decode()
    assert "記事5" in html


def test_the_menu_offers_the_report_to_editors(client, editor):
    # The sidebar is drawn from JSON in the page, so look for the report's address.
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert FUNNEL_URL in html


def test_staff_who_may_not_see_subscribers_get_no_report(client):
    staff = UserFactory(is_staff=True)
    group = Group.objects.create(name="記者")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    staff.groups.add(group)
    client.force_login(staff)
    assert FUNNEL_URL not in client.get(reverse("wagtailadmin_home")).content.decode()
    response = client.get(FUNNEL_URL)
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))

    group.permissions.add(Permission.objects.get(codename="view_subscriber"))
    assert client.get(FUNNEL_URL).status_code == 200
