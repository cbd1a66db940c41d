"""The demo mailbox: the mails the file mailer wrote, readable and clickable in the browser."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime

import pytest
from django.core.mail import EmailMessage, mailers
from django.urls import reverse

from denshiban.core.dates import JST
from denshiban.newsletters import services
from denshiban.newsletters.selectors import sent_mails

pytestmark = pytest.mark.django_db

MAILBOX = reverse("newsletters:mailbox")
FILE_MAILER = "django.core.mail.backends.filebased.EmailBackend"


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.MAILERS = {
        "default": {"BACKEND": FILE_MAILER, "OPTIONS": {"file_path": str(tmp_path)}}
    }
    settings.DEBUG = True
    return tmp_path


def send(subject: str, body: str, *, to: str = "someone@example.jp", date=None) -> None:
    headers = {"Date": format_datetime(date)} if date else {}
    EmailMessage(subject=subject, body=body, to=[to], headers=headers).send()


def test_mailbox_lists_the_unlock_mail_with_its_japanese_subject_and_a_clickable_link(
    client, mail_folder, article
):
    services.register(email="reader@example.jp", article=article, base_url="http://testserver/")
    assert list(mail_folder.glob("*.log"))  # it went through the file mailer

    response = client.get(MAILBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "【denshiban 電子版】記事の続きを読むためのリンクをお送りします" in html
    assert "reader@example.jp" in html
    assert article.lead in html
    link = re.search(r'<a href="(http://testserver/newsletters/unlock/[^"]+/)"', html)
    assert link is not None
    assert "登録を完了して記事を読む" in client.get(link.group(1)).content.decode()
    assert "no-store" in response["Cache-Control"]


def test_account_mails_appear_too(client, mail_folder):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.jp",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    html = client.get(MAILBOX).content.decode()
    assert "【denshiban 電子版】メールアドレスの確認をお願いします" in html
    assert "new@example.jp" in html
    assert re.search(r'<a href="http://testserver/accounts/confirm-email/[^"]+"', html)


def test_newest_mail_comes_first(client, mail_folder):
    send("古いお知らせ", "一通目", date=datetime(2026, 1, 5, 9, 0, tzinfo=JST))
    send("新しいお知らせ", "二通目", date=datetime(2026, 1, 6, 9, 0, tzinfo=JST))
    send("その間のお知らせ", "三通目", date=datetime(2026, 1, 5, 18, 0, tzinfo=JST))
    html = client.get(MAILBOX).content.decode()
    positions = [html.index(subject) for subject in ("新しい", "その間の", "古い")]
    assert positions == sorted(positions)
    assert "2026年1月6日 9:00" in html


def test_text_other_than_links_is_escaped(client, mail_folder):
    send("テスト", '<script>alert("x")</script> https://example.jp/a?b=1&c=2')
    html = client.get(MAILBOX).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.jp/a?b=1&amp;c=2"' in html


def test_several_mails_in_one_file_are_read_apart(mail_folder):
    messages = [
        EmailMessage(subject=f"件名{n}", body=f"本文{n}\n" + "-" * 20, to=["a@example.jp"])
        for n in range(3)
    ]
    mailers.default.send_messages(messages)  # one connection: one file
    assert len(list(mail_folder.glob("*.log"))) == 1
    mails = sent_mails(mail_folder)
    assert sorted(mail.subject for mail in mails) == ["件名0", "件名1", "件名2"]
    assert {mail.text.strip().splitlines()[0] for mail in mails} == {"本文0", "本文1", "本文2"}


def test_no_mailbox_when_mail_goes_to_an_smtp_server(client, mail_folder, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "mail.example.jp", "port": 25},
        }
    }
    assert client.get(MAILBOX).status_code == 404


def test_no_mailbox_outside_debug(client, mail_folder, settings):
    settings.DEBUG = False
    assert client.get(MAILBOX).status_code == 404


def test_demo_mailbox_setting_opens_it_outside_debug(client, mail_folder, settings):
    settings.DEBUG = False
    settings.DEMO_MAILBOX = True
    send("デモのお知らせ", "本文")
    response = client.get(MAILBOX)
    assert response.status_code == 200
    assert "デモのお知らせ" in response.content.decode()


def test_empty_mailbox_says_so(client, mail_folder):
    assert "まだメールはありません。" in client.get(MAILBOX).content.decode()
