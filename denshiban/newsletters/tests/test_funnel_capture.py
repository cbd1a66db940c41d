"""The funnel's first two steps, counted per article and day in Japan time.

"Shown" is counted when a browser loads the form (the private fragment, never cached, so
every showing reaches the count); "submitted" when a post gets as far as registering.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from denshiban.newsletters import services
from denshiban.newsletters.models import FunnelDay

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def show(client, article, **headers):
    return client.get(reverse("newsletters:form", args=[article.pk]), headers=headers)


def submit(client, article, email="reader@example.jp", **extra):
    return client.post(
        reverse("newsletters:register", args=[article.pk]),
        {"email": email, "website": "", **extra},
        headers=HTMX,
    )


def counts(article) -> list[tuple[date, int, int]]:
    return list(
        FunnelDay.objects.filter(article=article)
        .order_by("day")
        .values_list("day", "shown", "submitted")
    )


def test_each_showing_of_the_form_is_counted(client, article):
    show(client, article, **HTMX)
    show(Client(), article, **HTMX)
    show(Client(), article)  # the page without JavaScript counts too
    show(Client(), article)  # and is not answered from the page cache
    ((_day, shown, submitted),) = counts(article)
    assert (shown, submitted) == (4, 0)


def test_form_for_an_article_not_eligible_counts_nothing(client, closed_article, site):
    show(client, closed_article, **HTMX)
    show(client, closed_article)
    assert not FunnelDay.objects.exists()


def test_day_is_the_day_in_japan(client, article):
    with freeze_time("2026-01-05 23:30:00+00:00"):  # 08:30 on the 6th in Japan
        show(client, article, **HTMX)
    with freeze_time("2026-01-06 14:59:00+00:00"):  # 23:59 on the 6th in Japan
        show(client, article, **HTMX)
    with freeze_time("2026-01-06 15:00:00+00:00"):  # midnight: the 7th in Japan
        show(client, article, **HTMX)
    assert counts(article) == [(date(2026, 1, 6), 2, 0), (date(2026, 1, 7), 1, 0)]


def test_articles_are_counted_apart(client, article, site):
    from denshiban.newsroom.models import AccessLevel
    from denshiban.newsroom.tests.factories import add_article

    other = add_article(
        index=site["index"],
        section=site["section"],
        access_level=AccessLevel.PAID,
        newsletter_unlock=True,
    )
    show(client, article, **HTMX)
    show(client, other, **HTMX)
    show(client, other, **HTMX)
    assert [row[1] for row in counts(article)] == [1]
    assert [row[1] for row in counts(other)] == [2]


def test_a_post_that_registers_counts_as_submitted(client, article):
    show(client, article, **HTMX)
    submit(client, article)
    ((_day, shown, submitted),) = counts(article)
    assert (shown, submitted) == (1, 1)


def test_a_post_stopped_by_the_address_limit_still_counts(client, article):
    """It reached services.register, which refused it: the reader did submit the form."""
    for n in range(services.ADDRESS_HOURLY_LIMIT + 1):
        submit(client, article, REMOTE_ADDR=f"10.0.0.{n}")
    ((_day, _shown, submitted),) = counts(article)
    assert submitted == services.ADDRESS_HOURLY_LIMIT + 1


@pytest.mark.parametrize(
    "extra",
    [{"email": "not-an-address"}, {"email": ""}, {"website": "http://spam.example"}],
    ids=["invalid address", "empty", "honeypot"],
)
def test_a_post_that_never_reaches_registration_is_not_counted(client, article, extra):
    data = {"email": "reader@example.jp", **extra}
    submit(client, article, **data)
    assert not FunnelDay.objects.filter(submitted__gt=0).exists()


def test_a_post_for_an_article_not_eligible_is_not_counted(client, closed_article):
    submit(client, closed_article)
    assert not FunnelDay.objects.exists()


def test_the_row_created_meanwhile_by_another_request_gets_the_count(article):
    """Two first showings of the day: the one that loses the insert adds to the other's row.

    The other request's row appears just after this one found no row to update, right
    before it tries to insert its own (as it would from another connection, committed).
    """
    day = services.funnel_day()
    the_other_inserted = []

    def the_other_request_inserts_first(execute, sql, params, many, context):
        if sql.startswith("SAVEPOINT") and not the_other_inserted:
            the_other_inserted.append(True)
            FunnelDay.objects.bulk_create([FunnelDay(day=day, article=article, shown=1)])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(the_other_request_inserts_first):
        services.count_funnel(article_id=article.pk, step=services.FunnelStep.SHOWN)
    assert the_other_inserted
    assert counts(article) == [(day, 2, 0)]
