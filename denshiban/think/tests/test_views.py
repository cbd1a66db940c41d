"""The Think! block on the article page, posting with and without htmx, the expert's page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from denshiban.access.tests.factories import make_user, sign_in
from denshiban.think.models import Comment, HelpfulMark

from .factories import COMMENT_TEXT, CommentFactory, ExpertFactory, expert_with_account

pytestmark = pytest.mark.django_db

GUEST_MESSAGE = "会員の方のみご利用になれます。"
EXPLANATION = "記事と併せて、エキスパート(専門家)のひとこと解説や分析を読むことができます。"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _html(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def _post_data(**fields):
    return {"kind": "brief", "text": COMMENT_TEXT, "url": ""} | fields


def test_guest_sees_count_names_and_the_way_in_but_no_text(client, article, expert):
    CommentFactory(article=article, expert=expert, text=f"{COMMENT_TEXT}ゲスト不可")
    CommentFactory(article=article, expert=ExpertFactory(name="大江誠", title="元外交官"))
    html = _html(client, article.url)

    assert 'id="think"' in html
    assert "コメント 2件" in html
    assert "佐久間玲子" in html and "大江誠" in html and "元外交官" in html
    assert GUEST_MESSAGE in html and EXPLANATION in html
    assert f"/accounts/login/?next=/article/{article.pk}/%23think" in html
    assert f"/accounts/signup/?next=/article/{article.pk}/%23think" in html
    assert COMMENT_TEXT not in html
    assert "csrfmiddlewaretoken" not in html.split('id="think"')[1]


@pytest.mark.parametrize("role", ["free_member", "active", "lapsed", "expert", "editor"])
def test_members_read_every_comment(client, site, article, expert, role):
    CommentFactory(article=article, expert=expert, text=f"{COMMENT_TEXT}会員向け")
    sign_in(client, role, site=site)
    html = _html(client, article.url)
    assert f"{COMMENT_TEXT}会員向け" in html
    assert "佐久間玲子" in html and "経済学者" in html
    assert GUEST_MESSAGE not in html


def test_only_experts_see_the_form(client, site, article, expert):
    sign_in(client, "active", site=site)
    assert 'class="think-form"' not in _html(client, article.url)
    client.force_login(expert.user)
    html = _html(client, article.url)
    assert 'class="think-form"' in html and "佐久間玲子さんとしてコメントする" in html
    assert html.count("htmx.min.js") == 1  # from base.html, not again from the block


def test_comment_text_is_shown_as_text_and_the_link_without_trust(client, site, article, expert):
    CommentFactory(
        article=article,
        expert=expert,
        text=f"<script>alert('x')</script>{COMMENT_TEXT}\n二行目",
        url="https://example.jp/a?b=1&c=2",
    )
    sign_in(client, "free_member", site=site)
    html = _html(client, article.url)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<br>二行目" in html
    assert (
        '<a href="https://example.jp/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank">'
        in html
    )


def test_sorting_by_helpful_or_newest(client, site, article, expert):
    now = timezone.now()
    older = CommentFactory(
        article=article,
        expert=expert,
        text=f"{COMMENT_TEXT}マーカー甲",
        created_at=now - timedelta(hours=2),
    )
    CommentFactory(article=article, expert=expert, text=f"{COMMENT_TEXT}マーカー乙", created_at=now)
    HelpfulMark.objects.create(comment=older, user=make_user("free_member"))
    sign_in(client, "free_member", site=site)

    helpful_first = _html(client, article.url)
    assert helpful_first.index("マーカー甲") < helpful_first.index("マーカー乙")
    newest_first = _html(client, f"{article.url}?think_sort=new")
    assert newest_first.index("マーカー乙") < newest_first.index("マーカー甲")
    fragment = _html(client, reverse("think:block", args=[article.pk]) + "?sort=new", **HTMX)
    assert fragment.startswith('<section id="think"')
    assert fragment.index("マーカー乙") < fragment.index("マーカー甲")


def test_expert_posts_without_javascript_and_returns_to_think(client, article, expert):
    client.force_login(expert.user)
    response = client.post(reverse("think:post", args=[article.pk]), _post_data(kind="analysis"))

    assert response.status_code == 302
    assert response["Location"] == f"/article/{article.pk}/#think"
    comment = Comment.objects.get()
    assert (comment.expert, comment.kind) == (expert, "analysis")
    html = _html(client, response["Location"])
    assert "コメントを投稿しました。" in html and COMMENT_TEXT in html


def test_refused_text_comes_back_as_typed_without_javascript(client, article, expert):
    client.force_login(expert.user)
    typed = "短すぎる<b>コメント</b>"
    response = client.post(
        reverse("think:post", args=[article.pk]), _post_data(text=typed, url="javascript:x")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "コメントは50文字以上で入力してください(いまは" in html
    assert "リンクは http:// か https:// で始まるURLを1つだけ入力してください。" in html
    assert "短すぎる&lt;b&gt;コメント&lt;/b&gt;</textarea>" in html
    assert 'value="javascript:x"' in html
    assert not Comment.objects.exists()


def test_htmx_post_answers_with_the_block(client, article, expert):
    client.force_login(expert.user)
    url = reverse("think:post", args=[article.pk])

    refused = client.post(url, _post_data(text="あ" * 801), **HTMX)
    html = refused.content.decode()
    assert refused.status_code == 200  # htmx swaps only successful answers in
    assert html.startswith('<section id="think"')
    assert "コメントは800文字以内で入力してください(いまは801文字です)。" in html
    assert "あ" * 801 in html

    posted = client.post(url, _post_data(), **HTMX)
    html = posted.content.decode()
    assert "コメントを投稿しました。" in html and COMMENT_TEXT in html
    assert "htmx.min.js" not in html  # the page has it; a swapped block must not load it again
    assert "no-store" in posted["Cache-Control"]


def test_a_rate_limited_post_keeps_the_text(client, article, expert):
    for number in range(5):
        CommentFactory(article=article, expert=expert, text=f"{COMMENT_TEXT}{number}")
    client.force_login(expert.user)
    response = client.post(
        reverse("think:post", args=[article.pk]), _post_data(text=COMMENT_TEXT + "六")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "時間を空けて、もう一度お試しください。" in html
    assert f"{COMMENT_TEXT}六</textarea>" in html


@pytest.mark.parametrize("role", ["guest", "free_member", "active"])
def test_a_crafted_post_from_a_non_expert_is_refused(client, site, article, role):
    sign_in(client, role, site=site)
    response = client.post(reverse("think:post", args=[article.pk]), _post_data())
    html = response.content.decode()
    assert response.status_code == (401 if role == "guest" else 403)
    assert "Think!に投稿できるのはエキスパートの方のみです。" in html
    assert f"{COMMENT_TEXT}</textarea>" in html
    assert not Comment.objects.exists()


def test_posting_needs_the_csrf_token(article, expert):
    client = Client(enforce_csrf_checks=True)
    client.force_login(expert.user)
    response = client.post(reverse("think:post", args=[article.pk]), _post_data())
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_edit_page_then_edit_within_30_minutes(client, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    client.force_login(expert.user)
    url = reverse("think:edit", args=[comment.pk])
    assert comment.text in _html(client, url)

    prefix = f"edit-{comment.pk}-"
    response = client.post(
        url,
        {f"{prefix}kind": "viewpoint", f"{prefix}text": COMMENT_TEXT + "追記", f"{prefix}url": ""},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.text == COMMENT_TEXT + "追記" and comment.kind == "viewpoint"
    assert "(編集済み)" in _html(client, article.url)


def test_editing_after_30_minutes_keeps_the_text_with_the_reason(client, article, expert):
    comment = CommentFactory(
        article=article, expert=expert, created_at=timezone.now() - timedelta(minutes=31)
    )
    client.force_login(expert.user)
    assert "編集" not in _html(client, article.url).split(comment.text)[1].split("</li>")[0]
    prefix = f"edit-{comment.pk}-"
    typed = COMMENT_TEXT + "遅すぎた追記"
    response = client.post(
        reverse("think:edit", args=[comment.pk]),
        {f"{prefix}kind": "brief", f"{prefix}text": typed, f"{prefix}url": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "投稿から30分を過ぎたコメントは編集できません。" in html
    assert f"{typed}</textarea>" in html
    comment.refresh_from_db()
    assert comment.text != typed


def test_editing_or_deleting_someone_elses_comment_is_refused(client, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    other = expert_with_account()
    client.force_login(other.user)
    prefix = f"edit-{comment.pk}-"
    edit = client.post(
        reverse("think:edit", args=[comment.pk]),
        {f"{prefix}kind": "brief", f"{prefix}text": COMMENT_TEXT + "改ざん", f"{prefix}url": ""},
    )
    assert edit.status_code == 403
    assert "ご自身のコメントのみ編集できます。" in edit.content.decode()
    assert f"{COMMENT_TEXT}改ざん</textarea>" in edit.content.decode()
    assert client.get(reverse("think:edit", args=[comment.pk])).status_code == 403
    delete = client.post(reverse("think:delete", args=[comment.pk]))
    assert delete.status_code == 403
    comment.refresh_from_db()
    assert comment.text != COMMENT_TEXT + "改ざん"


def test_expert_deletes_own_comment(client, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    client.force_login(expert.user)
    response = client.post(reverse("think:delete", args=[comment.pk]), **HTMX)
    assert "コメントを削除しました。" in response.content.decode()
    assert not Comment.objects.exists()


def test_member_marks_helpful_with_and_without_javascript(client, site, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    member = sign_in(client, "free_member", site=site)
    url = reverse("think:helpful", args=[comment.pk])

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/article/{article.pk}/#think-comment-{comment.pk}"
    assert HelpfulMark.objects.filter(comment=comment, user=member).exists()

    fragment = client.post(url, **HTMX).content.decode()
    assert (
        'aria-pressed="false"' in fragment
        and '<span class="think-helpful__count">0</span>' in fragment
    )
    fragment = client.post(url, **HTMX).content.decode()
    assert (
        'aria-pressed="true"' in fragment
        and '<span class="think-helpful__count">1</span>' in fragment
    )


def test_guest_cannot_mark_helpful(client, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    response = client.post(reverse("think:helpful", args=[comment.pk]))
    assert response.status_code == 401
    assert GUEST_MESSAGE in response.content.decode()
    assert not HelpfulMark.objects.exists()


def test_a_hidden_comment_vanishes_at_once(client, site, article, expert):
    shown = CommentFactory(article=article, expert=expert, text=f"{COMMENT_TEXT}表示")
    hidden = CommentFactory(
        article=article, expert=expert, text=f"{COMMENT_TEXT}非表示", hidden_at=timezone.now()
    )
    assert "コメント 1件" in _html(client, article.url)
    sign_in(client, "free_member", site=site)
    html = _html(client, article.url)
    assert shown.text in html and hidden.text not in html
    assert client.post(reverse("think:helpful", args=[hidden.pk])).status_code == 404


def test_expert_page_lists_comments_newest_first_text_for_members_only(
    client, site, article, expert
):
    now = timezone.now()
    CommentFactory(
        article=article,
        expert=expert,
        text=f"{COMMENT_TEXT}一つ目",
        created_at=now - timedelta(days=1),
    )
    CommentFactory(
        article=article,
        expert=expert,
        text=f"{COMMENT_TEXT}二つ目",
        kind="analysis",
        created_at=now,
    )
    url = expert.get_absolute_url()
    assert url == "/experts/sakuma/"

    guest = _html(client, url)
    assert "佐久間玲子" in guest and "金融政策" in guest and "物価" in guest
    assert article.title in guest and "分析・考察" in guest and "会員の方のみ" in guest
    assert COMMENT_TEXT not in guest

    sign_in(client, "free_member", site=site)
    member = _html(client, url)
    assert member.index("二つ目") < member.index("一つ目")


def test_unknown_expert_is_not_found(client, db):
    assert client.get("/experts/nobody/").status_code == 404
