"""The shared member-only button tags: what a guest, a free member and a paid member get."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from denshiban.access.tests.factories import make_user
from denshiban.mynews.models import Follow
from denshiban.newsroom.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

GUEST_MESSAGE = "有料会員の方のみご利用になれます。"
TOPIC_EXPLANATION = "トピックをフォローすると、新着情報のチェックやまとめ読みがしやすくなります。"
FOLLOW_EXPLANATION = (
    "気になる連載・コラム・キーワードをフォローすると、「Myニュース」でまとめよみができます。"
)


def render(source: str, user=None, path: str = "/topic/t/", **context) -> str:
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    return Template("{% load mynews %}" + source).render(Context({"request": request, **context}))


def test_guest_gets_a_disclosure_with_the_gated_panel_and_no_csrf_token():
    topic = TopicFactory(name="トランプ政権")
    html = render("{% follow_button 'topic' topic %}", topic=topic)
    assert "<details" in html and "フォローする" in html
    assert GUEST_MESSAGE in html and TOPIC_EXPLANATION in html
    assert "/accounts/login/?next=/topic/t/" in html
    assert "/billing/subscribe/" in html
    # The guest's page may be stored for every guest: no token, no form.
    assert "csrfmiddlewaretoken" not in html and "<form" not in html


def test_other_follows_explain_myニュース():
    html = render("{% follow_button 'series' 5 name='経済教室' %}")
    assert FOLLOW_EXPLANATION in html and TOPIC_EXPLANATION not in html


def test_free_member_is_told_they_may_not_follow():
    html = render("{% follow_button 'topic' 3 %}", user=make_user("free_member"))
    assert "権限不足のため、フォローできません" in html
    assert "<form" not in html
    assert "ログイン" not in html


def test_paid_member_gets_a_post_form_with_the_state():
    user = make_user("active")
    topic = TopicFactory()
    html = render("{% follow_button 'topic' topic %}", user=user, topic=topic)
    assert 'action="/mynews/follow/"' in html and "csrfmiddlewaretoken" in html
    assert 'aria-pressed="false"' in html and "フォローする" in html
    Follow.objects.create(user=user, kind="topic", target_id=topic.pk)
    html = render("{% follow_button 'topic' topic %}", user=user, topic=topic)
    assert 'action="/mynews/unfollow/"' in html and "フォロー中" in html
    assert 'aria-pressed="true"' in html


def test_the_state_of_many_buttons_costs_what_one_costs():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user("active")
    topics = [TopicFactory() for _ in range(8)]
    source = "{% for t in topics %}{% follow_button 'topic' t %}{% endfor %}"

    def queries(shown):
        request = RequestFactory().get("/")
        request.user = get_user_model().objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as captured:
            Template("{% load mynews %}" + source).render(
                Context({"request": request, "topics": shown})
            )
        return len(captured)

    queries(topics[:1])  # warms what the process keeps (content types)
    assert queries(topics[:1]) == queries(topics) == 2  # paid member, follows


def test_gated_panel_tag_for_saving():
    html = render("{% gated_panel 'save-article' %}")
    assert "保存した記事はスマホやタブレットでもご覧いただけます。" in html
    assert GUEST_MESSAGE in html


def test_scripts_are_printed_once_per_page():
    html = render("{% mynews_scripts %}{% mynews_scripts %}")
    assert html.count("<script>") == 1
    assert "htmx.min.js" not in html  # base.html loads htmx, once for the whole page
