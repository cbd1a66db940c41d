"""Think! in the JSON API (denshiban/api/think.py): the same rules and words as the pages."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from denshiban.access.tests.factories import make_user, sign_in
from denshiban.think.models import Comment, HelpfulMark

from .factories import COMMENT_TEXT, CommentFactory, ExpertFactory, expert_with_account

pytestmark = pytest.mark.django_db

API = "/api/v1/think"


def _comments_url(article):
    return f"{API}/articles/{article.pk}/comments"


def _send(client, method, url, payload=None):
    body = json.dumps(payload) if payload is not None else None
    return getattr(client, method)(url, data=body, content_type="application/json")


def test_guest_gets_count_and_experts_but_no_text(client, article, expert):
    CommentFactory(article=article, expert=expert)
    CommentFactory(article=article, expert=ExpertFactory(name="大江誠"))
    response = client.get(_comments_url(article))
    data = response.json()

    assert response.status_code == 200
    assert data["count"] == 2 and data["comments"] is None
    assert [e["name"] for e in data["experts"]] == ["佐久間玲子", "大江誠"]
    assert data["experts"][0]["url"].endswith("/experts/sakuma/")
    assert data["message"] == "会員の方のみご利用になれます。"
    assert COMMENT_TEXT not in response.content.decode()
    assert "public" in response["Cache-Control"]


def test_member_gets_the_comments_sorted(client, site, article, expert):
    now = timezone.now()
    old = CommentFactory(article=article, expert=expert, created_at=now - timedelta(hours=1))
    new = CommentFactory(article=article, expert=expert, created_at=now)
    HelpfulMark.objects.create(comment=old, user=make_user("active"))
    member = sign_in(client, "free_member", site=site)
    HelpfulMark.objects.create(comment=new, user=member)
    HelpfulMark.objects.create(comment=old, user=make_user("active"))

    helpful = client.get(_comments_url(article)).json()
    assert [c["id"] for c in helpful["comments"]] == [old.pk, new.pk]
    assert helpful["comments"][0]["helpful_count"] == 2
    assert helpful["comments"][1]["marked_helpful"] is True
    assert helpful["comments"][0]["text"] == old.text
    assert helpful["comments"][0]["kind_label"] == "ひとこと解説"
    newest = client.get(_comments_url(article), {"sort": "new"}).json()
    assert [c["id"] for c in newest["comments"]] == [new.pk, old.pk]
    assert "private" in client.get(_comments_url(article))["Cache-Control"]


def test_expert_posts_edits_and_deletes(client, article, expert):
    client.force_login(expert.user)
    posted = _send(
        client, "post", _comments_url(article), {"kind": "analysis", "text": COMMENT_TEXT}
    )
    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert body["own"] is True and body["editable_until"] is not None
    assert body["expert"]["name"] == "佐久間玲子"

    edited = _send(
        client,
        "patch",
        f"{API}/comments/{body['id']}",
        {"kind": "brief", "text": COMMENT_TEXT + "追記"},
    )
    assert edited.status_code == 200 and edited.json()["text"] == COMMENT_TEXT + "追記"

    deleted = client.delete(f"{API}/comments/{body['id']}")
    assert deleted.status_code == 204
    assert not Comment.objects.exists()


def test_bad_input_answers_400_with_each_fields_message(client, article, expert):
    client.force_login(expert.user)
    response = _send(
        client, "post", _comments_url(article), {"kind": "x", "text": "短い", "url": "ftp://x"}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == {
        "kind": "コメントの種類を選んでください。",
        "text": "コメントは50文字以上で入力してください(いまは2文字です)。",
        "url": "リンクは http:// か https:// で始まるURLを1つだけ入力してください。",
    }
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("guest", 401), ("free_member", 403), ("active", 403)]
)
def test_non_experts_cannot_post(client, site, article, role, status):
    sign_in(client, role, site=site)
    response = _send(
        client, "post", _comments_url(article), {"kind": "brief", "text": COMMENT_TEXT}
    )
    assert response.status_code == status
    assert response.json()["detail"] == "Think!に投稿できるのはエキスパートの方のみです。"
    assert not Comment.objects.exists()


def test_a_session_write_needs_the_csrf_token(article, expert):
    client = Client(enforce_csrf_checks=True)
    client.force_login(expert.user)
    refused = _send(client, "post", _comments_url(article), {"kind": "brief", "text": COMMENT_TEXT})
    assert refused.status_code == 403
    assert not Comment.objects.exists()

    client.get(article.url)  # the page sets the CSRF cookie, as a browser would get it
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        _comments_url(article),
        data=json.dumps({"kind": "brief", "text": COMMENT_TEXT}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


def test_editing_late_or_someone_elses_comment_is_refused(client, article, expert):
    late = CommentFactory(
        article=article, expert=expert, created_at=timezone.now() - timedelta(minutes=31)
    )
    theirs = CommentFactory(article=article, expert=expert_with_account())
    client.force_login(expert.user)
    payload = {"kind": "brief", "text": COMMENT_TEXT + "追記"}

    too_late = _send(client, "patch", f"{API}/comments/{late.pk}", payload)
    assert too_late.status_code == 403
    assert too_late.json()["detail"] == "投稿から30分を過ぎたコメントは編集できません。"
    not_own = _send(client, "patch", f"{API}/comments/{theirs.pk}", payload)
    assert not_own.status_code == 403
    assert not_own.json()["detail"] == "ご自身のコメントのみ編集できます。"
    assert client.delete(f"{API}/comments/{theirs.pk}").status_code == 403
    assert Comment.objects.count() == 2


def test_helpful_toggle(client, site, article, expert):
    comment = CommentFactory(article=article, expert=expert)
    url = f"{API}/comments/{comment.pk}/helpful"
    assert client.post(url).status_code == 401
    sign_in(client, "free_member", site=site)
    assert client.post(url).json() == {"comment_id": comment.pk, "marked": True, "helpful_count": 1}
    assert client.post(url).json() == {
        "comment_id": comment.pk,
        "marked": False,
        "helpful_count": 0,
    }


def test_expert_detail_gives_text_to_members_only(client, site, article, expert):
    CommentFactory(article=article, expert=expert, kind="viewpoint")
    guest = client.get(f"{API}/experts/sakuma").json()
    assert guest["name"] == "佐久間玲子" and guest["fields_of_expertise"] == ["金融政策", "物価"]
    assert guest["count"] == 1 and guest["comments"][0]["text"] is None
    assert guest["comments"][0]["article"]["headline"] == article.title
    assert guest["comments"][0]["kind_label"] == "別の視点"
    assert guest["message"] == "会員の方のみご利用になれます。"
    assert COMMENT_TEXT not in json.dumps(guest, ensure_ascii=False)

    sign_in(client, "free_member", site=site)
    member = client.get(f"{API}/experts/sakuma").json()
    assert member["comments"][0]["text"].startswith(COMMENT_TEXT)
    assert client.get(f"{API}/experts/nobody").status_code == 404


def test_hidden_comments_are_not_in_the_api(client, site, article, expert):
    CommentFactory(article=article, expert=expert, hidden_at=timezone.now())
    assert client.get(_comments_url(article)).json()["count"] == 0
    sign_in(client, "free_member", site=site)
    assert client.get(_comments_url(article)).json()["comments"] == []
