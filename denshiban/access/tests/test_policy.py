"""The reading policy, role by role and level by level (PRODUCT.md's table of readers).

Each row says what one kind of reader gets of an article of one access level, and why.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from denshiban.access import services
from denshiban.access.models import MeteredRead
from denshiban.access.policy import Offer, Reason, can_read
from denshiban.access.readers import Reader
from denshiban.access.reading import reading_for
from denshiban.access.selectors import month_of
from denshiban.access.services import open_article
from denshiban.access.tests.factories import (
    ROLES,
    build_site_after_flush,
    grant_all,
    make_user,
    use_up_allowance,
)
from denshiban.accounts.tests.factories import UserFactory
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article, paragraph

SECRET = "ここから先は購読者だけが読める本文"

pytestmark = pytest.mark.django_db

FREE, MEMBER, PAID = AccessLevel.FREE, AccessLevel.MEMBER, AccessLevel.PAID
R = Reason

# role → {level: (reads in full, why)}
EXPECTED: dict[str, dict[str, tuple[bool, Reason]]] = {
    "guest": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (False, R.SIGN_IN_REQUIRED),
        PAID: (False, R.SUBSCRIPTION_REQUIRED),
    },
    "newsletter_reader": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (True, R.NEWSLETTER_UNLOCK),
        PAID: (True, R.NEWSLETTER_UNLOCK),
    },
    "free_member": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (True, R.MEMBER_READS_MEMBER_ARTICLE),
        PAID: (True, R.MONTHLY_ALLOWANCE),
    },
    "free_member_used_up": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (True, R.MEMBER_READS_MEMBER_ARTICLE),
        PAID: (False, R.SUBSCRIPTION_REQUIRED),
    },
    **{
        paid_role: {
            FREE: (True, R.FREE_ARTICLE),
            MEMBER: (True, R.MEMBER_READS_MEMBER_ARTICLE),
            PAID: (True, R.PAID_MEMBER),
        }
        for paid_role in ("trialing", "active", "past_due", "canceled_before_period_end")
    },
    # A lapsed member is a free member again, allowance included.
    "lapsed": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (True, R.MEMBER_READS_MEMBER_ARTICLE),
        PAID: (True, R.MONTHLY_ALLOWANCE),
    },
    "expert": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (True, R.EXPERT),
        PAID: (True, R.EXPERT),
    },
    "editor": {
        FREE: (True, R.FREE_ARTICLE),
        MEMBER: (True, R.STAFF),
        PAID: (True, R.STAFF),
    },
}
TABLE = [(role, level, *EXPECTED[role][level]) for role in ROLES for level in AccessLevel.values]


def _article(site, level=PAID, **fields):
    return add_article(
        index=site["index"],
        section=site["section"],
        access_level=level,
        body=[paragraph(SECRET)],
        **fields,
    )


@pytest.fixture
def articles(site):
    return {level: _article(site, level, newsletter_unlock=True) for level in AccessLevel.values}


def reader_of(role, articles, site):
    if role == "newsletter_reader":
        return Reader(unlock_grant_ids=frozenset(grant_all(articles.values())))
    return make_user(role, spent_on=_article(site) if role == "free_member_used_up" else None)


def test_every_role_is_in_the_table():
    assert set(EXPECTED) == set(ROLES)


@pytest.mark.parametrize(("role", "level", "full", "reason"), TABLE)
def test_reading_policy_by_role_and_level(articles, site, role, level, full, reason):
    decision = can_read(reader_of(role, articles, site), articles[level])

    assert (decision.full, decision.reason) == (full, reason)


@pytest.mark.parametrize(("role", "level", "full", "reason"), TABLE)
def test_opening_an_article_gives_the_same_cut_as_the_policy(
    articles, site, role, level, full, reason
):
    reading = open_article(reader=reader_of(role, articles, site), article=articles[level])

    assert (reading.is_full, reading.decision.reason) == (full, reason)
    assert (SECRET in str(reading.body)) is full
    assert reading.lead == articles[level].lead


def test_none_and_anonymous_user_are_guests(articles):
    assert can_read(None, articles[PAID]).full is False
    assert can_read(AnonymousUser(), articles[MEMBER]).full is False


def test_inactive_account_reads_as_a_guest(articles):
    staff = UserFactory(is_staff=True, is_active=False)
    assert can_read(staff, articles[MEMBER]).reason == R.SIGN_IN_REQUIRED


def test_guest_offers_on_a_paid_article_open_to_newsletter_unlock(articles):
    assert can_read(None, articles[PAID]).offers == (
        Offer.SUBSCRIBE,
        Offer.LOGIN,
        Offer.NEWSLETTER_UNLOCK,
    )


def test_guest_offers_on_a_member_article_are_sign_up_and_login(site):
    article = _article(site, MEMBER)
    assert can_read(None, article).offers == (Offer.SIGN_UP, Offer.LOGIN)


def test_newsletter_unlock_is_offered_to_guests_only(site):
    article = _article(site, PAID, newsletter_unlock=True)
    member = make_user("free_member_used_up", spent_on=_article(site))
    assert can_read(member, article).offers == (Offer.SUBSCRIBE,)


def test_cut_article_has_no_body_when_paywalled(articles):
    reading = reading_for(AnonymousUser(), articles[PAID])
    assert reading.body is None
    assert reading.body_blocks == []
    assert reading.lead == articles[PAID].lead


# --- the free member's monthly allowance --------------------------------------------------


def test_can_read_never_records_a_read(articles):
    member = UserFactory()
    decision = can_read(member, articles[PAID])
    assert decision.full and decision.counts_new_read
    assert not MeteredRead.objects.exists()


def test_opening_a_paid_article_uses_the_allowance_once(articles):
    member = UserFactory()

    first = open_article(reader=member, article=articles[PAID])
    again = open_article(reader=member, article=articles[PAID])

    assert first.is_full and again.is_full
    assert again.decision.reason == R.MONTHLY_ALLOWANCE
    assert not again.decision.counts_new_read
    assert MeteredRead.objects.filter(user=member).count() == 1
    assert first.decision.allowance_remaining == again.decision.allowance_remaining == 0


def test_counted_article_stays_readable_when_the_allowance_is_used_up(site):
    member = UserFactory()
    counted, other = _article(site), _article(site)
    open_article(reader=member, article=counted)

    assert open_article(reader=member, article=other).is_full is False
    assert open_article(reader=member, article=counted).is_full is True


def test_allowance_remaining_is_shown_to_free_members_only(articles):
    assert can_read(UserFactory(), articles[FREE]).allowance_remaining == 1
    assert can_read(make_user("active"), articles[FREE]).allowance_remaining is None
    assert can_read(None, articles[FREE]).allowance_remaining is None


def test_paid_member_opening_records_nothing(articles):
    open_article(reader=make_user("active"), article=articles[PAID])
    assert not MeteredRead.objects.exists()


def test_allowance_is_configurable(site, settings):
    settings.FREE_MEMBER_MONTHLY_ALLOWANCE = 2
    member = UserFactory()
    first, second, third = (_article(site) for _ in range(3))

    assert open_article(reader=member, article=first).decision.allowance_remaining == 1
    assert open_article(reader=member, article=second).decision.allowance_remaining == 0
    assert open_article(reader=member, article=third).is_full is False


def test_no_allowance_means_no_paid_articles_for_free_members(articles, settings):
    settings.FREE_MEMBER_MONTHLY_ALLOWANCE = 0
    assert open_article(reader=UserFactory(), article=articles[PAID]).is_full is False


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_fixed_timezone(9 * 60))


@pytest.mark.parametrize(
    ("second_read_at", "full"),
    [
        # 23:59 JST on the 31st is still January: the allowance is spent.
        (jst(2026, 1, 31, 23, 59), False),
        # 00:00 JST on the 1st is February in Japan though still January 31st in UTC.
        (jst(2026, 2, 1, 0, 0), True),
    ],
)
def test_the_month_turns_at_midnight_japan_time(site, second_read_at, full):
    member = UserFactory()
    first, second = _article(site), _article(site)
    open_article(reader=member, article=first, now=jst(2026, 1, 31, 23, 58))
    assert second_read_at.astimezone(UTC).month == 1

    assert open_article(reader=member, article=second, now=second_read_at).is_full is full


def test_month_starts_again_at_midnight_japan_time_not_utc(site):
    member = UserFactory()
    read_at = jst(2026, 3, 1, 8, 30)  # still February 28th in UTC
    use_up_allowance(member, _article(site), when=read_at)
    assert MeteredRead.objects.get().month.isoformat() == "2026-03-01"


# --- newsletter unlock grants -------------------------------------------------------------


def test_expired_grant_is_ignored(articles):
    ids = grant_all([articles[PAID]], expires_at=timezone.now() - timedelta(minutes=1))
    decision = can_read(Reader(unlock_grant_ids=frozenset(ids)), articles[PAID])
    assert decision.full is False


def test_grant_not_yet_expired_opens_the_article(articles):
    ids = grant_all([articles[PAID]], expires_at=timezone.now() + timedelta(days=1))
    decision = can_read(Reader(unlock_grant_ids=frozenset(ids)), articles[PAID])
    assert decision.reason == R.NEWSLETTER_UNLOCK


def test_grant_for_another_article_is_ignored(site, articles):
    ids = grant_all([_article(site)])
    assert can_read(Reader(unlock_grant_ids=frozenset(ids)), articles[PAID]).full is False


def test_free_member_with_a_grant_keeps_the_allowance(articles):
    member = UserFactory()
    ids = frozenset(grant_all([articles[PAID]]))

    reading = open_article(reader=Reader(user=member, unlock_grant_ids=ids), article=articles[PAID])

    assert reading.decision.reason == R.NEWSLETTER_UNLOCK
    assert reading.decision.allowance_remaining == 1
    assert not MeteredRead.objects.exists()


# --- parallel first reads -----------------------------------------------------------------
# Real threads need a database that takes concurrent connections (PostgreSQL in CI; the
# in-memory SQLite test database refuses them). The first two tests replay the race one
# step at a time and run everywhere.


def _another_tab_reads(member, article, *, before_opening):
    """Make `article`'s read land just after open_article's first, unlocked decision."""
    real = services.can_read
    landed = []

    def racing(reader, candidate, *, now):
        decision = real(reader, candidate, now=now)
        if candidate == before_opening and not landed:
            MeteredRead.objects.create(user=member, article=article, month=month_of(now))
            landed.append(True)
        return decision

    return racing


def test_a_read_landing_after_the_first_decision_is_seen_under_the_lock(site, monkeypatch):
    member = UserFactory()
    other_tab, this_tab = _article(site), _article(site)
    monkeypatch.setattr(
        services, "can_read", _another_tab_reads(member, other_tab, before_opening=this_tab)
    )

    reading = open_article(reader=member, article=this_tab)

    assert reading.is_full is False
    assert list(MeteredRead.objects.values_list("article_id", flat=True)) == [other_tab.pk]


def test_the_same_article_read_in_another_tab_is_not_counted_twice(site, monkeypatch):
    member = UserFactory()
    article = _article(site)
    monkeypatch.setattr(
        services, "can_read", _another_tab_reads(member, article, before_opening=article)
    )

    reading = open_article(reader=member, article=article)

    assert reading.is_full is True
    assert MeteredRead.objects.count() == 1


def _open_in_parallel(member, articles_to_open):
    """Open each article in its own thread (own connection), all starting together."""
    start = threading.Barrier(len(articles_to_open))
    results: list = [None] * len(articles_to_open)
    errors: list[BaseException] = []

    def run(i, article):
        try:
            start.wait()
            results[i] = open_article(reader=member, article=article).is_full
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(articles_to_open)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.fixture
def committed_site(transactional_db):
    return build_site_after_flush()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_first_reads_of_one_article_use_one_allowance(committed_site):
    site = committed_site
    member = UserFactory()
    article = _article(site)

    results = _open_in_parallel(member, [article] * 4)

    assert results == [True] * 4
    assert MeteredRead.objects.filter(user=member).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_reads_of_different_articles_cannot_exceed_the_allowance(committed_site):
    site = committed_site
    member = UserFactory()
    candidates = [_article(site) for _ in range(4)]

    results = _open_in_parallel(member, candidates)

    assert sorted(results) == [False, False, False, True]
    assert MeteredRead.objects.filter(user=member).count() == 1
