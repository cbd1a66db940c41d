import pytest
from django.urls import reverse

from .conftest import PASSWORD
from .mail import last_mail_to, login_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def signed_in_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_member_logs_in_with_password_and_returns_to_next(client, member):
    response = client.post(
        LOGIN, {"login": member.email, "password": PASSWORD, "next": "/economy/"}
    )

    assert response.status_code == 302
    assert response.url == "/economy/"
    assert signed_in_id(client) == member.pk


def test_wrong_password_gets_a_plain_japanese_message(client, member):
    response = client.post(LOGIN, {"login": member.email, "password": "wrong-horse"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません。" in html
    assert f'value="{member.email}"' in html
    assert signed_in_id(client) is None


def test_member_logs_in_with_a_code_sent_by_mail(client, member):
    response = client.post(reverse("account_request_login_code"), {"email": member.email})

    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    message = last_mail_to(member.email)
    assert message.subject == "【denshiban 電子版】ログイン用のコード"
    code = login_code(message.body)

    confirmed = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert confirmed.status_code == 302
    assert signed_in_id(client) == member.pk


def test_wrong_code_is_refused(client, member):
    client.post(reverse("account_request_login_code"), {"email": member.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG-CODE"})

    assert "コードが正しくありません。" in response.content.decode()
    assert signed_in_id(client) is None


def test_logout_needs_post(client, member):
    client.force_login(member)

    shown = client.get(reverse("account_logout"))
    assert shown.status_code == 200
    assert "ログアウトしますか。" in shown.content.decode()
    assert signed_in_id(client) == member.pk

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert signed_in_id(client) is None


def test_guest_header_offers_login_and_signup_back_to_this_page(client, site):
    html = client.get("/economy/").content.decode()

    header = html[html.index('class="site-header__account"') : html.index("</nav>")]
    assert f'href="{LOGIN}?next=/economy/"' in header
    assert f'href="{reverse("account_signup")}?next=/economy/"' in header
    assert "csrfmiddlewaretoken" not in header
    assert "マイアカウント" not in header


def test_member_header_links_the_account_page_and_logs_out_by_post(client, site, member):
    client.force_login(member)

    html = client.get("/economy/").content.decode()

    header = html[html.index('class="site-header__account"') : html.index("</nav>")]
    assert f'href="{reverse("accounts:account")}"' in header
    assert f'<form method="post" action="{reverse("account_logout")}"' in header
    assert "csrfmiddlewaretoken" in header
    assert "会員登録" not in header


def test_a_message_follows_logging_in(client, site, member):
    response = client.post(LOGIN, {"login": member.email, "password": PASSWORD}, follow=True)

    assert "ログインしました。" in response.content.decode()
