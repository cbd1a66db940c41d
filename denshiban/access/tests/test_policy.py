import pytest
from django.contrib.auth.models import AnonymousUser

from denshiban.access.policy import Offer, Reason, can_read
from denshiban.access.reading import reading_for
from denshiban.accounts.tests.factories import UserFactory
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article, paragraph

SECRET = "ここから先は購読者だけが読める本文"

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(site):
    def make(level):
        return add_article(
            index=site["index"],
            section=site["section"],
            access_level=level,
            body=[paragraph(SECRET)],
        )

    return {level: make(level) for level in AccessLevel.values}


@pytest.mark.parametrize(
    ("role", "level", "full", "reason"),
    [
        ("guest", "free", True, Reason.FREE_ARTICLE),
        ("guest", "member", False, Reason.SIGN_IN_REQUIRED),
        ("guest", "paid", False, Reason.SUBSCRIPTION_REQUIRED),
        ("member", "free", True, Reason.FREE_ARTICLE),
        ("member", "member", True, Reason.MEMBER_READS_MEMBER_ARTICLE),
        ("member", "paid", False, Reason.SUBSCRIPTION_REQUIRED),
        ("staff", "member", True, Reason.STAFF),
        ("staff", "paid", True, Reason.STAFF),
        ("inactive_staff", "paid", False, Reason.SUBSCRIPTION_REQUIRED),
    ],
)
def test_reading_policy_by_role_and_level(articles, role, level, full, reason):
    readers = {
        "guest": AnonymousUser(),
        "member": UserFactory(),
        "staff": UserFactory(is_staff=True),
        "inactive_staff": UserFactory(is_staff=True, is_active=False),
    }
    decision = can_read(readers[role], articles[level])
    assert decision.full is full
    assert decision.reason == reason


def test_none_reader_is_treated_as_guest(articles):
    assert can_read(None, articles["paid"]).full is False


def test_guest_is_offered_login_on_paid_article(articles):
    assert Offer.LOGIN in can_read(AnonymousUser(), articles["paid"]).offers


def test_cut_article_has_no_body_when_paywalled(articles):
    reading = reading_for(AnonymousUser(), articles["paid"])
    assert reading.body is None
    assert reading.body_blocks == []
    assert reading.lead == articles["paid"].lead


def test_cut_article_carries_body_when_allowed(articles):
    reading = reading_for(UserFactory(), articles["member"])
    assert SECRET in str(reading.body)
