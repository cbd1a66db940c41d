import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from denshiban.accounts.models import User

from .conftest import PASSWORD
from .factories import UserFactory
from .mail import last_mail_to, link_path

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")


def sign_up(client, email="new@example.jp", password=PASSWORD, password2=None, **extra):
    data = {"email": email, "password1": password, "password2": password2 or password}
    return client.post(SIGNUP, {**data, **extra})


def test_signup_page_is_in_japanese_in_the_site_design(client):
    response = client.get(SIGNUP)

    html = response.content.decode()
    assert response.status_code == 200
    assert "会員登録(無料)" in html
    assert 'class="form__field"' in html
    assert "メールアドレス" in html
    assert "Eメール" not in html


def test_signup_sends_a_japanese_confirmation_mail_and_confirming_signs_in(client):
    response = sign_up(client, next="/economy/")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.jp")
    assert user.check_password(PASSWORD)
    assert user.username  # AbstractUser requires one; allauth fills it from the address
    message = last_mail_to("new@example.jp")
    assert message.subject == "【denshiban 電子版】メールアドレスの確認をお願いします"
    assert "会員登録、ありがとうございます" in message.body

    confirm = link_path(message.body)
    page = client.get(confirm)
    # Opening the link confirms nothing (mail scanners open links): a button does.
    assert page.status_code == 200
    assert "確認する" in page.content.decode()
    assert not EmailAddress.objects.get(email="new@example.jp").verified

    confirmed = client.post(confirm)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new@example.jp").verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_unconfirmed_member_cannot_log_in(client):
    sign_up(client)
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": "new@example.jp", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_usernames_made_from_the_same_mailbox_name_are_unique(client):
    UserFactory(username="taro", email="taro@example.com")

    sign_up(client, email="taro@example.jp")

    usernames = set(User.objects.values_list("username", flat=True))
    assert len(usernames) == 2


def test_duplicate_email_is_refused_plainly_and_the_typed_address_kept(client):
    UserFactory(email="taken@example.jp")

    response = sign_up(client, email="Taken@example.jp")

    html = response.content.decode()
    assert response.status_code == 200
    assert "このメールアドレスは既に登録されています。" in html
    assert 'value="taken@example.jp"' in html.lower()
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kY7$q", "このパスワードは短すぎます。最低 8 文字以上必要です。"),
        ("password123", "このパスワードは一般的すぎます。"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_is_stored(client, password, message):
    response = sign_up(client, password=password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert 'value="new@example.jp"' in response.content.decode()


def test_mismatched_password_confirmation_is_refused(client):
    response = sign_up(client, password2="another-horse-battery")

    assert response.status_code == 200
    assert "同じパスワード" in response.content.decode()
    assert not User.objects.exists()


def test_markup_typed_into_the_form_is_shown_escaped(client):
    typed = '"><script>alert(1)</script>'

    response = sign_up(client, email=typed)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not User.objects.exists()


def test_forged_confirmation_link_gets_a_japanese_page(client):
    response = client.get(reverse("account_confirm_email", args=["forged-key"]))

    assert response.status_code == 200
    assert "確認する" not in response.content.decode()
    assert "確認のリンクが無効か、有効期限が切れています。" in response.content.decode()


def test_expired_confirmation_link_gets_a_japanese_page(client, settings):
    sign_up(client)
    confirm = link_path(last_mail_to("new@example.jp").body)
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0

    response = client.get(confirm)

    assert "確認のリンクが無効か、有効期限が切れています。" in response.content.decode()
    assert not EmailAddress.objects.get(email="new@example.jp").verified


def test_confirmation_mail_arrives_over_smtp_and_its_link_confirms(client, smtp_server):
    sign_up(client, email="wire@example.jp")

    [received] = smtp_server.wait_for(1)

    assert received["To"] == "wire@example.jp"
    assert str(received["Subject"]) == "【denshiban 電子版】メールアドレスの確認をお願いします"
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "会員登録、ありがとうございます" in body
    client.post(link_path(body))
    assert EmailAddress.objects.get(email="wire@example.jp").verified
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "wire@example.jp", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="wire@example.jp").pk
