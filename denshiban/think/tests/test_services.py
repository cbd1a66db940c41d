from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from denshiban.access.tests.factories import make_user
from denshiban.accounts.tests.factories import UserFactory
from denshiban.think import services
from denshiban.think.exceptions import (
    CommentInvalid,
    CommentNotFound,
    EditWindowClosed,
    NotAllowed,
    RateLimited,
    ThinkError,
)
from denshiban.think.models import Comment, Expert, HelpfulMark

from .factories import COMMENT_TEXT, CommentFactory, ExpertFactory, expert_with_account

pytestmark = pytest.mark.django_db


def _post(expert, article, **fields):
    values = {"kind": "brief", "text": COMMENT_TEXT, "url": ""} | fields
    return services.post_comment(user=expert.user, article=article, **values)


def test_expert_posts_a_comment(expert, article):
    comment = _post(expert, article, kind="analysis", url="https://example.jp/report")

    stored = Comment.objects.get()
    assert stored == comment
    assert (stored.expert, stored.article_id, stored.kind) == (expert, article.pk, "analysis")
    assert stored.text == COMMENT_TEXT and stored.url == "https://example.jp/report"


def test_text_is_stored_plain_with_line_breaks_unified(expert, article):
    text = "<b>太字</b>にはなりません。\r\n" + "あ" * 60 + "\x00"
    comment = _post(expert, article, text=f"  {text}  ")
    assert comment.text == "<b>太字</b>にはなりません。\n" + "あ" * 60


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": ""}, "text", "コメントを入力してください。"),
        ({"text": "   \n "}, "text", "コメントを入力してください。"),
        ({"text": "あ" * 49}, "text", "コメントは50文字以上で入力してください(いまは49文字です)。"),
        (
            {"text": "あ" * 801},
            "text",
            "コメントは800文字以内で入力してください(いまは801文字です)。",
        ),
        ({"kind": "rumor"}, "kind", "コメントの種類を選んでください。"),
        (
            {"url": "javascript:alert(1)"},
            "url",
            "リンクは http:// か https:// で始まるURLを1つだけ入力してください。",
        ),
        (
            {"url": "ftp://example.jp/x"},
            "url",
            "リンクは http:// か https:// で始まるURLを1つだけ入力してください。",
        ),
        (
            {"url": "https://a.jp https://b.jp"},
            "url",
            "リンクは http:// か https:// で始まるURLを1つだけ入力してください。",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    expert, article, fields, field, message
):
    with pytest.raises(CommentInvalid) as refused:
        _post(expert, article, **fields)
    assert refused.value.errors[field] == message
    assert not Comment.objects.exists()


def test_exactly_50_and_800_characters_are_accepted(expert, article):
    _post(expert, article, text="あ" * 50)
    _post(expert, article, text="い" * 800)
    assert Comment.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [
        ("guest", 401, "Think!に投稿できるのはエキスパートの方のみです。"),
        ("free_member", 403, "Think!に投稿できるのはエキスパートの方のみです。"),
        ("active", 403, "Think!に投稿できるのはエキスパートの方のみです。"),
        ("editor", 403, "Think!に投稿できるのはエキスパートの方のみです。"),
    ],
)
def test_only_experts_may_post(article, role, status, message):
    with pytest.raises(NotAllowed) as refused:
        services.post_comment(
            user=make_user(role), article=article, kind="brief", text=COMMENT_TEXT
        )
    assert (refused.value.status, refused.value.message) == (status, message)
    assert not Comment.objects.exists()


def test_an_expert_without_a_profile_is_told_to_ask_the_desk(article):
    with pytest.raises(NotAllowed) as refused:
        services.post_comment(
            user=UserFactory(is_expert=True), article=article, kind="brief", text=COMMENT_TEXT
        )
    assert "プロフィールが登録されていない" in refused.value.message


def test_no_comment_on_an_unpublished_article(expert, site):
    from denshiban.newsroom.tests.factories import add_article

    draft = add_article(index=site["index"], section=site["section"], live=False)
    with pytest.raises(CommentNotFound):
        _post(expert, draft)


def test_posting_is_limited_to_five_in_ten_minutes(expert, article):
    now = timezone.now()
    for number in range(5):
        _post(expert, article, text=f"{COMMENT_TEXT}{number}", now=now)
    with pytest.raises(RateLimited) as refused:
        _post(expert, article, text=f"{COMMENT_TEXT}6", now=now)
    assert refused.value.status == 429
    assert "時間を空けて" in refused.value.message
    assert Comment.objects.count() == 5
    # Ten minutes on, the expert may post again.
    _post(expert, article, text=f"{COMMENT_TEXT}7", now=now + timedelta(minutes=10, seconds=1))
    assert Comment.objects.count() == 6


def test_the_same_text_sent_twice_makes_one_comment(expert, article):
    first = _post(expert, article)
    second = _post(expert, article)
    assert first == second
    assert Comment.objects.count() == 1


def test_expert_edits_own_comment_within_30_minutes(expert, article):
    comment = _post(expert, article)
    later = comment.created_at + timedelta(minutes=29)
    edited = services.edit_comment(
        user=expert.user,
        comment_id=comment.pk,
        kind="viewpoint",
        text=COMMENT_TEXT + "追記。",
        url="http://example.jp",
        now=later,
    )
    edited.refresh_from_db()
    assert (edited.kind, edited.text, edited.url) == (
        "viewpoint",
        COMMENT_TEXT + "追記。",
        "http://example.jp",
    )
    assert edited.edited_at == later


def test_editing_after_30_minutes_is_refused(expert, article):
    comment = _post(expert, article)
    with pytest.raises(EditWindowClosed) as refused:
        services.edit_comment(
            user=expert.user,
            comment_id=comment.pk,
            kind="brief",
            text=COMMENT_TEXT + "追記。",
            now=comment.created_at + timedelta(minutes=30),
        )
    assert refused.value.message == "投稿から30分を過ぎたコメントは編集できません。"
    comment.refresh_from_db()
    assert comment.text == COMMENT_TEXT and comment.edited_at is None


def test_editing_someone_elses_comment_is_refused(expert, article):
    comment = _post(expert, article)
    other = expert_with_account()
    with pytest.raises(NotAllowed) as refused:
        services.edit_comment(
            user=other.user, comment_id=comment.pk, kind="brief", text=COMMENT_TEXT + "改ざん"
        )
    assert refused.value.message == "ご自身のコメントのみ編集できます。"
    comment.refresh_from_db()
    assert comment.text == COMMENT_TEXT


def test_an_edit_breaking_the_rules_changes_nothing(expert, article):
    comment = _post(expert, article)
    with pytest.raises(CommentInvalid):
        services.edit_comment(user=expert.user, comment_id=comment.pk, kind="brief", text="短い")
    comment.refresh_from_db()
    assert comment.text == COMMENT_TEXT


def test_expert_deletes_own_comment_but_not_another(expert, article):
    own = _post(expert, article)
    theirs = CommentFactory(article=article, expert=expert_with_account())
    with pytest.raises(NotAllowed) as refused:
        services.delete_comment(user=expert.user, comment_id=theirs.pk)
    assert refused.value.message == "ご自身のコメントのみ削除できます。"
    services.delete_comment(user=expert.user, comment_id=own.pk)
    assert list(Comment.objects.all()) == [theirs]


def test_helpful_toggles_once_per_member(expert, article):
    comment = CommentFactory(article=article, expert=expert)
    member = make_user("free_member")

    state = services.toggle_helpful(user=member, comment_id=comment.pk)
    assert (state.marked, state.count) == (True, 1)
    state = services.toggle_helpful(user=member, comment_id=comment.pk)
    assert (state.marked, state.count) == (False, 0)
    state = services.toggle_helpful(user=member, comment_id=comment.pk)
    other = services.toggle_helpful(user=make_user("active"), comment_id=comment.pk)
    assert (state.count, other.count) == (1, 2)


def test_the_database_refuses_a_second_mark_by_the_same_member(expert, article):
    comment = CommentFactory(article=article, expert=expert)
    member = make_user("free_member")
    HelpfulMark.objects.create(comment=comment, user=member)
    with pytest.raises(IntegrityError):
        HelpfulMark.objects.create(comment=comment, user=member)


def test_guests_cannot_mark_and_experts_cannot_mark_their_own(expert, article):
    comment = CommentFactory(article=article, expert=expert)
    with pytest.raises(NotAllowed) as guest:
        services.toggle_helpful(user=None, comment_id=comment.pk)
    assert (guest.value.status, guest.value.message) == (401, "会員の方のみご利用になれます。")
    with pytest.raises(NotAllowed) as own:
        services.toggle_helpful(user=expert.user, comment_id=comment.pk)
    assert own.value.status == 403
    assert not HelpfulMark.objects.exists()


def test_hidden_comments_cannot_be_marked_edited_or_deleted(expert, article):
    comment = _post(expert, article)
    services.hide_comment(comment=comment, editor=make_user("editor"), reason="事実誤認の指摘")
    with pytest.raises(CommentNotFound):
        services.toggle_helpful(user=make_user("free_member"), comment_id=comment.pk)
    with pytest.raises(CommentNotFound):
        services.edit_comment(
            user=expert.user, comment_id=comment.pk, kind="brief", text=COMMENT_TEXT
        )
    with pytest.raises(CommentNotFound):
        services.delete_comment(user=expert.user, comment_id=comment.pk)


def test_hiding_and_restoring_need_a_reason_and_are_logged(expert, article):
    comment = _post(expert, article)
    editor = make_user("editor")
    with pytest.raises(ThinkError) as refused:
        services.hide_comment(comment=comment, editor=editor, reason="  ")
    assert refused.value.message == "理由を入力してください。"
    assert not Comment.objects.get().is_hidden

    services.hide_comment(comment=comment, editor=editor, reason="個人への中傷を含むため")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.moderated_by == editor
    assert not Comment.objects.visible().exists()

    services.restore_comment(comment=comment, editor=editor, reason="表現を確認し問題なしと判断")
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert comment.moderation_reason == "表現を確認し問題なしと判断"
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(comment.pk))
        .order_by("timestamp", "pk")
        .values_list("action", "data")
    )
    assert actions == [
        ("think.hide", {"reason": "個人への中傷を含むため"}),
        ("think.restore", {"reason": "表現を確認し問題なしと判断"}),
    ]


def test_linking_an_account_makes_it_an_expert_once(db):
    user = UserFactory()
    expert = ExpertFactory()
    services.link_expert_user(expert=expert, user=user)
    user.refresh_from_db()
    assert user.is_expert and Expert.objects.get(user=user) == expert
    with pytest.raises(ThinkError):
        services.link_expert_user(expert=ExpertFactory(), user=user)
