import pytest
from django.core import mail
from django.urls import reverse

from .conftest import PASSWORD
from .mail import last_mail_to, link_path

pytestmark = pytest.mark.django_db

RESET = reverse("account_reset_password")
NEW_PASSWORD = "paper-lantern-harbor"


def test_reset_by_mailed_link_sets_a_new_password(client, member):
    response = client.post(RESET, {"email": member.email})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    message = last_mail_to(member.email)
    assert message.subject == "【denshiban 電子版】パスワードの再設定"
    # The key in the link is swapped for a session-held one: follow the redirect.
    form = client.get(link_path(message.body), follow=True)
    assert "新しいパスワードの設定" in form.content.decode()

    done = client.post(
        form.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done.url == reverse("account_reset_password_from_key_done")
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not member.check_password(PASSWORD)
    assert last_mail_to(member.email).subject == "【denshiban 電子版】パスワードを再設定しました"


def test_used_reset_link_gets_a_japanese_page(client, member):
    client.post(RESET, {"email": member.email})
    link = link_path(last_mail_to(member.email).body)
    form = client.get(link, follow=True)
    client.post(form.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.get(link, follow=True)

    html = response.content.decode()
    assert "リンクが無効です" in html
    assert "パスワード再設定のリンクが無効か、有効期限が切れています。" in html


def test_forged_reset_link_gets_a_japanese_page(client, member):
    forged = reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "x-y"})

    response = client.get(forged, follow=True)

    assert "リンクが無効です" in response.content.decode()


def test_unknown_address_is_said_plainly_and_nothing_is_sent(client, db):
    response = client.post(RESET, {"email": "nobody@example.jp"})

    assert response.status_code == 200
    assert "このメールアドレスで登録された会員は見つかりませんでした。" in response.content.decode()
    assert mail.outbox == []


def test_new_password_must_be_confirmed_identically(client, member):
    client.post(RESET, {"email": member.email})
    form = client.get(link_path(last_mail_to(member.email).body), follow=True)

    response = client.post(
        form.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": "something-else"}
    )

    assert response.status_code == 200
    assert "同じパスワード" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
