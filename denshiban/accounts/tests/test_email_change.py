import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from .factories import UserFactory
from .mail import last_mail_to, link_path

pytestmark = pytest.mark.django_db

EMAIL = reverse("account_email")


def test_new_address_replaces_the_old_once_confirmed(client, member):
    client.force_login(member)

    response = client.post(EMAIL, {"email": "moved@example.jp", "action_add": ""})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "member@example.jp"  # not until the new address is confirmed
    message = last_mail_to("moved@example.jp")
    assert message.subject == "【denshiban 電子版】メールアドレスの確認をお願いします"
    page = client.get(EMAIL).content.decode()
    assert "変更先(確認待ち)" in page
    assert "moved@example.jp" in page

    client.post(link_path(message.body))

    member.refresh_from_db()
    assert member.email == "moved@example.jp"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        "moved@example.jp"
    ]
    notice = last_mail_to("member@example.jp")
    assert notice.subject == "【denshiban 電子版】メールアドレスを変更しました"
    assert "moved@example.jp" in notice.body


def test_address_of_another_member_is_refused(client, member):
    UserFactory(email="other@example.jp")
    client.force_login(member)

    response = client.post(EMAIL, {"email": "other@example.jp", "action_add": ""})

    assert response.status_code == 200
    assert "このメールアドレスは既に登録されています。" in response.content.decode()
    assert mail.outbox == []


def test_change_email_page_needs_login(client, db):
    response = client.get(EMAIL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_password_change_needs_the_current_password(client, member):
    client.force_login(member)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "wrong",
            "password1": "quiet-river-stone",
            "password2": "quiet-river-stone",
        },
    )

    assert response.status_code == 200
    assert "現在のパスワードが正しくありません。" in response.content.decode()


def test_password_change_keeps_the_member_signed_in_and_notifies(client, member):
    client.force_login(member)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct-horse-battery",
            "password1": "quiet-river-stone",
            "password2": "quiet-river-stone",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("quiet-river-stone")
    assert "_auth_user_id" in client.session
    assert last_mail_to(member.email).subject == "【denshiban 電子版】パスワードを変更しました"
