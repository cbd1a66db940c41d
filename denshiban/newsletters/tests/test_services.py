import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail

from denshiban.accounts.tests.factories import UserFactory
from denshiban.newsletters import services
from denshiban.newsletters.models import Newsletter, Subscriber, SubscriberStatus

from .conftest import BODY_MARKER

pytestmark = pytest.mark.django_db
BASE = "http://testserver/"


def test_unlock_mail_carries_headline_and_lead_only(article):
    services.register(email="reader@example.jp", article=article, base_url=BASE)
    message = mail.outbox[0]
    html = message.alternatives[0].content
    assert message.subject == "【denshiban 電子版】記事の続きを読むためのリンクをお送りします"
    for part in (message.body, html):
        assert article.title in part
        assert article.lead in part
        assert BODY_MARKER not in part
    assert message.alternatives[0].mimetype == "text/html"


def test_registration_links_a_member_who_confirmed_the_address(article):
    member = UserFactory(email="member@example.jp")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    services.register(email="Member@example.jp", article=article, base_url=BASE)
    assert Subscriber.objects.get().user == member


def test_registration_does_not_link_an_unconfirmed_claim(article):
    member = UserFactory(email="member@example.jp")
    EmailAddress.objects.create(user=member, email=member.email, verified=False, primary=True)
    services.register(email="member@example.jp", article=article, base_url=BASE)
    assert Subscriber.objects.get().user is None


def test_member_who_confirms_the_address_later_is_linked(article):
    services.register(email="later@example.jp", article=article, base_url=BASE)
    member = UserFactory(email="later@example.jp")
    address = EmailAddress.objects.create(user=member, email="Later@example.jp", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Subscriber.objects.get().user == member


def test_subscribing_creates_no_member_account(article):
    from django.contrib.auth import get_user_model

    services.register(email="reader@example.jp", article=article, base_url=BASE)
    services.confirm_unlock(email="reader@example.jp", article=article)
    assert not get_user_model().objects.exists()


def test_default_newsletters_are_created_once(site):
    first = services.ensure_default_newsletters()
    again = services.ensure_default_newsletters()
    assert [n.pk for n in first] == [n.pk for n in again]
    assert first[0].name == "朝刊ニュースレター"
    section_letter = Newsletter.objects.get(slug=f"section-{site['section'].slug}")
    assert list(section_letter.sections.all()) == [site["section"]]
    assert Newsletter.objects.count() == 2


def test_registration_puts_the_address_on_morning_and_section_lists(article):
    services.ensure_default_newsletters()
    services.register(email="reader@example.jp", article=article, base_url=BASE)
    slugs = set(Subscriber.objects.get().lists.values_list("slug", flat=True))
    assert slugs == {"morning", f"section-{article.section.slug}"}


def test_unsubscribed_address_registering_again_is_pending_with_new_consent(article):
    Subscriber.objects.create(
        email="reader@example.jp",
        status=SubscriberStatus.UNSUBSCRIBED,
        consent_text="古い文言",
        consented_at="2025-01-01T00:00:00Z",
    )
    registration = services.register(email="reader@example.jp", article=article, base_url=BASE)
    subscriber = Subscriber.objects.get()
    assert registration.outcome == services.Outcome.SENT
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.consent_text == str(services.CONSENT_TEXT)
