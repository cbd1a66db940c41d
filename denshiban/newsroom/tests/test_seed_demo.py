"""The demo newspaper: `manage.py seed_demo`, its content modules and generated photos."""

import importlib
import io
from collections import defaultdict
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Revision, Site

from denshiban.accounts.management.demo import DEMO_ACCOUNTS
from denshiban.billing import demo as billing_demo
from denshiban.billing.models import (
    Campaign,
    CampaignEligibility,
    Gateway,
    Payment,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from denshiban.billing.selectors import (
    campaign_offer,
    current_subscription,
    is_paid_member,
    running_campaign,
)
from denshiban.charts.models import Chart
from denshiban.core.dates import JST
from denshiban.newsroom.demo import engine
from denshiban.newsroom.demo.images import demo_photo, render_photo
from denshiban.newsroom.models import (
    ArticlePage,
    ArticlePhoto,
    Company,
    HomePage,
    HomeTopStory,
    Reporter,
    SectionPage,
    Series,
    Topic,
)

MODELS_COUNTED = (
    Page,
    ArticlePage,
    ArticlePhoto,
    SectionPage,
    HomeTopStory,
    Topic,
    Series,
    Company,
    Reporter,
    Chart,
    Image,
    Revision,
    Site,
    get_user_model(),
    EmailAddress,
    Plan,
    Campaign,
    Subscription,
    Payment,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS_COUNTED}


def _content_articles() -> list[dict]:
    return [
        article
        for name in engine.content_module_names()
        for article in importlib.import_module(name).ARTICLES
    ]


class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        first, second = io.StringIO(), io.StringIO()
        call_command("seed_demo", stdout=first, stderr=io.StringIO())
        cls.counts_after_first = _counts()
        call_command("seed_demo", stdout=second, stderr=io.StringIO())
        cls.counts_after_second = _counts()
        cls.second_output = second.getvalue()

    def test_second_run_creates_and_changes_nothing(self):
        self.assertEqual(self.counts_after_first, self.counts_after_second)
        self.assertIn("変更はありません", self.second_output)

    def test_every_article_of_every_content_module_is_published_once(self):
        articles = _content_articles()
        self.assertEqual(ArticlePage.objects.live().count(), len(articles))
        self.assertEqual(
            set(ArticlePage.objects.values_list("slug", flat=True)),
            {f"demo-{article['key']}" for article in articles},
        )

    def test_each_section_has_the_access_levels_its_content_uses(self):
        wanted = defaultdict(set)
        for article in _content_articles():
            wanted[article["section"]].add(article["access"])
        stored = defaultdict(set)
        for slug, level in ArticlePage.objects.values_list("section__slug", "access_level"):
            stored[slug].add(level)
        self.assertEqual(stored, wanted)
        for slug, levels in wanted.items():
            self.assertEqual(levels, {"free", "member", "paid"}, slug)

    def test_home_page_is_the_site_root_and_welcome_page_is_gone(self):
        site = Site.objects.get(is_default_site=True)
        self.assertIsInstance(site.root_page.specific, HomePage)
        self.assertEqual(site.root_page.title, "denshiban 電子版")
        self.assertEqual(Page.objects.filter(depth=2).count(), 1)
        self.assertEqual(
            list(SectionPage.objects.order_by("position").values_list("slug", flat=True)),
            [slug for slug, _title, _description in engine.SECTIONS],
        )

    def test_top_stories_are_five_articles_from_different_sections(self):
        stories = HomePage.objects.get().top_stories.select_related("article")
        sections = {story.article.section_id for story in stories}
        expected = min(engine.TOP_STORY_COUNT, len({a["section"] for a in _content_articles()}))
        self.assertEqual(len(stories), expected)
        self.assertEqual(len(sections), expected)

    def test_articles_carry_the_demo_dates_not_the_seeding_time(self):
        article = ArticlePage.objects.get(slug="demo-politics-001")
        spec = next(a for a in _content_articles() if a["key"] == "politics-001")
        local = article.first_published_at.astimezone(JST)
        self.assertEqual(f"{local:%H:%M}", spec["time"])
        self.assertTrue(article.is_updated)
        self.assertEqual(article.last_published_at, article.updated_at)
        self.assertFalse(ArticlePage.objects.filter(first_published_at__gt=datetime.now(JST)))

    def test_article_body_photos_and_relations_follow_the_content(self):
        article = ArticlePage.objects.get(slug="demo-politics-002")
        self.assertEqual(article.access_level, "paid")
        self.assertTrue(article.newsletter_unlock)
        self.assertEqual(article.body[0].block_type, "chart")
        self.assertEqual(article.body[0].value["chart"].title, "防衛関係費の推移")
        self.assertEqual(
            set(article.topics.values_list("slug", flat=True)),
            {"defense-budget", "us-japan-alliance"},
        )
        photos = ArticlePage.objects.get(slug="demo-politics-006").photos.all()
        self.assertEqual([photo.credit for photo in photos], ["", "共同通信社"])
        self.assertEqual(photos[0].image.width, 1200)

    def test_paragraph_text_is_html_escaped(self):
        blocks = engine._body({"body": [("p", "A<B & 「C」")]}, charts={})
        self.assertEqual(blocks, [{"type": "paragraph", "value": "<p>A&lt;B &amp; 「C」</p>"}])

    def test_editor_can_log_in_and_reach_the_admin(self):
        editor = _account("editor")
        self.assertTrue(self.client.login(username=editor.username, password=editor.password))
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_free_member_can_log_in_without_admin_rights(self):
        member = _account("free")
        self.assertTrue(self.client.login(username=member.username, password=member.password))
        self.assertFalse(get_user_model().objects.get(email=member.email).is_staff)

    def test_generated_article_page_is_served(self):
        article = ArticlePage.objects.get(slug="demo-politics-001")
        response = self.client.get(article.public_path)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, article.title)


def _account(username: str):
    return next(account for account in DEMO_ACCOUNTS if account.username == username)


def _user(username: str):
    return get_user_model().objects.get(email=f"{username}@example.jp")


class DemoAccountsSeedTests(TestCase):
    """The six demo accounts: each signs in with its printed password and has its role."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
        cls.anchor = billing_demo.demo_anchor(timezone.now())

    def test_there_are_the_six_demo_accounts_named_by_their_email(self):
        self.assertEqual(
            [(account.username, account.email) for account in DEMO_ACCOUNTS],
            [
                (name, f"{name}@example.jp")
                for name in ("free", "paid", "trial", "lapsed", "expert", "editor")
            ],
        )
        for account in DEMO_ACCOUNTS:
            self.assertEqual(account.password, f"denshiban-{account.username}")
            self.assertEqual(_user(account.username).username, account.username)

    def test_every_demo_account_logs_in_with_its_printed_password(self):
        for account in DEMO_ACCOUNTS:
            with self.subTest(account.username):
                self.assertTrue(
                    self.client.login(username=account.username, password=account.password)
                )
                self.client.logout()

    def test_every_demo_account_signs_in_by_email_on_the_login_page(self):
        for account in DEMO_ACCOUNTS:
            with self.subTest(account.username):
                response = self.client.post(
                    "/accounts/login/", {"login": account.email, "password": account.password}
                )
                self.assertEqual(response.status_code, 302)
                self.assertEqual(
                    self.client.session.get("_auth_user_id"), str(_user(account.username).pk)
                )
                self.client.logout()

    def test_every_demo_account_has_a_verified_primary_email(self):
        for account in DEMO_ACCOUNTS:
            address = EmailAddress.objects.get(user=_user(account.username))
            self.assertEqual(address.email, account.email)
            self.assertTrue(address.verified and address.primary, account.username)

    def test_free_expert_and_editor_have_no_subscription(self):
        for username in ("free", "expert", "editor"):
            user = _user(username)
            self.assertIsNone(current_subscription(user), username)
            self.assertFalse(is_paid_member(user), username)
            self.assertFalse(user.subscriptions.exists(), username)

    def test_only_the_expert_is_an_expert_and_only_the_editor_is_staff(self):
        self.assertEqual(
            set(get_user_model().objects.filter(is_expert=True).values_list("username", flat=True)),
            {"expert"},
        )
        self.assertEqual(
            set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True)),
            {"editor"},
        )
        self.assertTrue(_user("editor").is_superuser)

    def test_paid_member_is_on_the_monthly_plan_since_five_months_with_a_payment_each_month(self):
        user = _user("paid")
        subscription = current_subscription(user)
        self.assertTrue(is_paid_member(user))
        self.assertEqual(subscription.status, SubscriptionStatus.ACTIVE)
        self.assertEqual((subscription.plan.code, subscription.plan.price_yen), ("monthly", 4300))
        self.assertEqual(subscription.gateway, Gateway.SANDBOX)
        self.assertEqual(subscription.started_at, billing_demo.add_months(self.anchor, -5))
        self.assertLessEqual(subscription.current_period_start, timezone.now())
        self.assertGreater(subscription.current_period_end, timezone.now())
        payments = list(subscription.payments.order_by("period_start"))
        self.assertEqual(len(payments), 6)
        self.assertEqual({payment.amount_yen for payment in payments}, {4300})
        self.assertEqual(payments[0].period_start, subscription.started_at)
        self.assertEqual(payments[-1].period_end, subscription.current_period_end)
        for earlier, later in zip(payments, payments[1:], strict=False):
            self.assertEqual(earlier.period_end, later.period_start)
        # Dated when charged, so the billing history reads in the order it happened.
        self.assertEqual([p.created_at for p in payments], [p.period_start for p in payments])

    def test_trial_member_tries_hatsuwari_for_two_months_from_ten_days_ago(self):
        user = _user("trial")
        subscription = current_subscription(user)
        self.assertTrue(is_paid_member(user))
        self.assertEqual(subscription.status, SubscriptionStatus.TRIALING)
        self.assertEqual(subscription.campaign.name, "初割")
        self.assertEqual(subscription.started_at, self.anchor - timedelta(days=10))
        self.assertEqual(
            subscription.trial_ends_at, billing_demo.add_months(subscription.started_at, 2)
        )
        self.assertEqual(subscription.current_period_end, subscription.trial_ends_at)
        self.assertFalse(subscription.payments.exists())

    def test_lapsed_member_is_a_free_member_whose_yearly_plan_ended_three_months_ago(self):
        user = _user("lapsed")
        self.assertIsNone(current_subscription(user))
        self.assertFalse(is_paid_member(user))
        subscription = user.subscriptions.get()
        self.assertEqual(subscription.status, SubscriptionStatus.EXPIRED)
        self.assertEqual(subscription.plan.code, "yearly")
        self.assertEqual(subscription.ended_at, billing_demo.add_months(self.anchor, -3))
        self.assertEqual(subscription.current_period_end, subscription.ended_at)
        self.assertEqual(list(subscription.payments.values_list("amount_yen", flat=True)), [43_000])

    def test_plans_and_the_running_hatsuwari_campaign(self):
        self.assertEqual(
            list(Plan.objects.values_list("code", "name", "interval", "price_yen")),
            [("monthly", "月額プラン", "month", 4300), ("yearly", "年額プラン", "year", 43000)],
        )
        campaign = running_campaign()
        self.assertEqual(
            (
                campaign.slug,
                campaign.name,
                campaign.headline,
                campaign.offer,
                campaign.button_label,
            ),
            (
                "hatsuwari",
                "初割",
                "初割ですべての記事が読み放題",
                "有料会員が2カ月無料",
                "初割で無料体験する",
            ),
        )
        self.assertEqual(campaign.trial_months, 2)
        self.assertEqual(campaign.eligibility, CampaignEligibility.NOT_PAID_IN_12_MONTHS)
        self.assertEqual(campaign.starts_at, self.anchor - timedelta(days=30))
        self.assertEqual(campaign.ends_at, self.anchor + timedelta(days=60))
        self.assertEqual(set(campaign.plans.values_list("code", flat=True)), {"monthly", "yearly"})

    def test_free_member_may_take_hatsuwari_and_the_lapsed_member_may_not(self):
        campaign = running_campaign()
        self.assertTrue(campaign_offer(_user("free"), campaign).eligible)
        self.assertFalse(campaign_offer(_user("lapsed"), campaign).eligible)

    def test_seeding_again_puts_back_what_someone_changed_while_trying_the_demo(self):
        free, paid = _user("free"), _user("paid")
        free.set_password("changed-by-a-visitor")
        free.save()
        EmailAddress.objects.filter(user=free).update(verified=False)
        Subscription.objects.create(
            user=free,
            plan=Plan.objects.get(code="yearly"),
            status=SubscriptionStatus.ACTIVE,
            gateway=Gateway.SANDBOX,
            started_at=timezone.now(),
            current_period_start=timezone.now(),
            current_period_end=timezone.now() + timedelta(days=365),
        )
        paid.subscriptions.update(status=SubscriptionStatus.CANCELED, canceled_at=timezone.now())

        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())

        self.assertTrue(self.client.login(username="free", password="denshiban-free"))
        self.assertTrue(EmailAddress.objects.get(user=free).verified)
        self.assertFalse(free.subscriptions.exists())
        subscription = paid.subscriptions.get()
        self.assertEqual(subscription.status, SubscriptionStatus.ACTIVE)
        self.assertIsNone(subscription.canceled_at)
        self.assertEqual(subscription.payments.count(), 6)


class FlushedDatabaseTests(TestCase):
    def test_seeding_without_wagtail_root_or_locale_rebuilds_the_tree(self):
        # A live-server test's flush leaves no root page, collection, locale or site behind.
        Site.objects.all().delete()
        Page.objects.all().delete()
        Locale.objects.all().delete()
        Collection.objects.all().delete()
        content = engine.load_content(["denshiban.newsroom.demo.content_a"])
        content.articles = content.articles[:1]

        engine.seed(content=content)

        self.assertIsInstance(Site.objects.get(is_default_site=True).root_page.specific, HomePage)
        self.assertEqual(ArticlePage.objects.live().count(), 1)


class DemoContentTests(TestCase):
    def test_content_modules_follow_the_format(self):
        content = engine.load_content()
        self.assertEqual(engine.structural_problems(content), [])
        self.assertEqual(engine.format_problems(content), [])

    def test_content_a_stands_alone_without_the_other_modules(self):
        content = engine.load_content(["denshiban.newsroom.demo.content_a"])
        self.assertEqual(engine.structural_problems(content), [])
        self.assertGreaterEqual(len(content.articles), 36)

    def test_unknown_references_are_reported(self):
        content = engine.DemoContent(
            articles=[
                {
                    "key": "x-1",
                    "section": "sports",
                    "reporters": ["nobody"],
                    "topics": [],
                    "companies": [],
                    "series": None,
                    "access": "free",
                    "days_ago": 0,
                    "time": "25:00",
                    "body": [("chart", "missing")],
                }
            ]
        )
        problems = "\n".join(engine.structural_problems(content))
        for fragment in ("sports", "nobody", "25:00", "missing"):
            self.assertIn(fragment, problems)


class ArticleTimeTests(TestCase):
    now = datetime(2026, 11, 29, 9, 0, tzinfo=JST)

    def test_days_ago_counts_back_from_today_in_japan(self):
        published, updated = engine.article_time(
            {"days_ago": 2, "time": "05:30", "updated_after_minutes": None}, now=self.now
        )
        self.assertEqual(published, datetime(2026, 11, 27, 5, 30, tzinfo=JST))
        self.assertIsNone(updated)

    def test_todays_article_later_than_now_moves_back_a_day(self):
        published, _updated = engine.article_time(
            {"days_ago": 0, "time": "21:00", "updated_after_minutes": None}, now=self.now
        )
        self.assertEqual(published, datetime(2026, 11, 28, 21, 0, tzinfo=JST))

    def test_update_that_would_be_in_the_future_moves_the_article_back(self):
        published, updated = engine.article_time(
            {"days_ago": 0, "time": "08:00", "updated_after_minutes": 120}, now=self.now
        )
        self.assertEqual(published, datetime(2026, 11, 28, 8, 0, tzinfo=JST))
        self.assertEqual(updated, datetime(2026, 11, 28, 10, 0, tzinfo=JST))


class DemoPhotoTests(TestCase):
    def test_photo_is_a_deterministic_1200_by_800_jpeg(self):
        data = render_photo("politics-001-1")
        self.assertEqual(data, render_photo("politics-001-1"))
        self.assertNotEqual(data, render_photo("politics-001-2"))
        picture = PILImage.open(io.BytesIO(data))
        self.assertEqual((picture.format, picture.size), ("JPEG", (1200, 800)))

    def test_same_key_reuses_the_stored_image(self):
        first = demo_photo(key="k-1", title="国会議事堂")
        again = demo_photo(key="k-1", title="国会議事堂")
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Image.objects.count(), 1)


class DemoAccountsCommandTests(TestCase):
    def test_prints_site_admin_and_every_demo_account(self):
        out = io.StringIO()
        call_command("demo_accounts", stdout=out)
        text = out.getvalue()
        self.assertIn("http://127.0.0.1:8000/admin/", text)
        for account in DEMO_ACCOUNTS:
            line = next(line for line in text.splitlines() if account.email in line)
            self.assertIn(account.password, line)
            self.assertIn(account.role, line)
        self.assertIn("ローカルでのデモ専用", text)
