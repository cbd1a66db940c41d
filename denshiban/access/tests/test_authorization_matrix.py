"""Who may do what: every role × every action, with the status and the exact words a
refused reader sees. Read it as the documentation of `access.permissions.check`.

✓ allowed · (status, message) refused. Messages are PRODUCT.md's, word for word.
"""

from __future__ import annotations

import pytest

from denshiban.access.permissions import Action, check
from denshiban.access.tests.factories import ROLES, make_user
from denshiban.newsroom.tests.factories import add_article

pytestmark = pytest.mark.django_db

OK = "✓"
A = Action

LOGIN_FOR_PAID = (401, "有料会員の方のみご利用になれます。")
LOGIN_FOR_MEMBERS = (401, "会員の方のみご利用になれます。")
CANNOT_FOLLOW = (403, "権限不足のため、フォローできません")
CANNOT_REGISTER = (403, "権限不足のため、キーワード登録できません")
CANNOT_SAVE = (403, "権限不足のため、保存できません")
EXPERTS_ONLY_GUEST = (401, "Think!に投稿できるのはエキスパートの方のみです。")
EXPERTS_ONLY = (403, "Think!に投稿できるのはエキスパートの方のみです。")
ALREADY_PAID = (409, "すでに有料会員です。")
LOGIN_TO_SUBSCRIBE = (401, "お申し込みにはログインが必要です。")
EDITORS_ONLY_GUEST = (401, "編集者の方のみご利用になれます。ログインしてください。")
EDITORS_ONLY = (403, "編集者の方のみご利用になれます。")
MEMBER_TEXT = (401, "会員の方のみお読みいただけます。")
PAID_TEXT_GUEST = (401, "有料会員の方のみお読みいただけます。")
PAID_TEXT = (403, "有料会員の方のみお読みいただけます。")

GUEST = {
    A.READ_FREE: OK,
    A.READ_MEMBER: MEMBER_TEXT,
    A.READ_PAID: PAID_TEXT_GUEST,
    A.FOLLOW: LOGIN_FOR_PAID,
    A.REGISTER_KEYWORD: LOGIN_FOR_PAID,
    A.SAVE: LOGIN_FOR_PAID,
    A.THINK_READ: LOGIN_FOR_MEMBERS,
    A.THINK_POST: EXPERTS_ONLY_GUEST,
    A.SUBSCRIBE: LOGIN_TO_SUBSCRIBE,
    A.ADMIN: EDITORS_ONLY_GUEST,
}
# READ_PAID is reading every paid article as of right; the monthly allowance of a free
# member is per article (see test_policy.py).
FREE_MEMBER = {
    A.READ_FREE: OK,
    A.READ_MEMBER: OK,
    A.READ_PAID: PAID_TEXT,
    A.FOLLOW: CANNOT_FOLLOW,
    A.REGISTER_KEYWORD: CANNOT_REGISTER,
    A.SAVE: CANNOT_SAVE,
    A.THINK_READ: OK,
    A.THINK_POST: EXPERTS_ONLY,
    A.SUBSCRIBE: OK,
    A.ADMIN: EDITORS_ONLY,
}
PAID_MEMBER = {
    **FREE_MEMBER,
    A.READ_PAID: OK,
    A.FOLLOW: OK,
    A.REGISTER_KEYWORD: OK,
    A.SAVE: OK,
    A.SUBSCRIBE: ALREADY_PAID,
}

MATRIX: dict[str, dict[Action, object]] = {
    "guest": GUEST,
    # No account: the grants open articles, nothing else.
    "newsletter_reader": GUEST,
    "free_member": FREE_MEMBER,
    "free_member_used_up": FREE_MEMBER,
    "trialing": PAID_MEMBER,
    "active": PAID_MEMBER,
    "past_due": PAID_MEMBER,
    "canceled_before_period_end": PAID_MEMBER,
    # A lapsed member is a free member again.
    "lapsed": FREE_MEMBER,
    # An expert without a subscription reads every article (to comment on it) and posts.
    "expert": {**FREE_MEMBER, A.READ_PAID: OK, A.THINK_POST: OK},
    # Editors use every reader feature to check it, and the admin; they post no Think!.
    "editor": {**PAID_MEMBER, A.SUBSCRIBE: OK, A.ADMIN: OK},
}


def test_matrix_covers_every_role_and_action():
    assert set(MATRIX) == set(ROLES)
    assert all(set(row) == set(Action) for row in MATRIX.values())


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [(role, action, MATRIX[role][action]) for role in ROLES for action in Action],
)
def test_authorization(site, role, action, expected):
    spent_on = None
    if role == "free_member_used_up":
        spent_on = add_article(index=site["index"], section=site["section"], access_level="paid")
    permission = check(make_user(role, spent_on=spent_on), action)

    if expected == OK:
        assert permission.allowed
    else:
        assert (permission.allowed, permission.status, permission.message) == (False, *expected)
        assert permission.title


def test_inactive_paid_member_is_treated_as_a_guest():
    user = make_user("active")
    user.is_active = False
    assert check(user, Action.FOLLOW).status == 401
