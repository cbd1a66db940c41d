"""The whole unlock over a real SMTP server: register, read the mail, press, read."""

import re

import pytest
from django.urls import reverse

from denshiban.newsletters import tokens

from .conftest import BODY_MARKER

pytestmark = pytest.mark.django_db


def unlock_path(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/newsletters/unlock/\S+/)", text).group(1)


def test_register_confirm_read_and_register_again(client, article, smtp_server):
    register = reverse("newsletters:register", args=[article.pk])
    sent = client.post(register, {"email": "reader@example.jp", "website": ""})
    assert "ご登録ありがとうございました。" in sent.content.decode()

    message = smtp_server.wait_for(1)[0]
    assert message["To"] == "reader@example.jp"
    assert "記事の続きを読む" in str(message["Subject"])
    html = message.get_body(preferencelist=("html",)).get_content()
    assert article.lead in html and BODY_MARKER not in html

    link = unlock_path(message)
    assert "登録を完了して記事を読む" in client.get(link).content.decode()
    assert BODY_MARKER not in client.get(article.public_path).content.decode()
    pressed = client.post(link)
    assert pressed["Location"] == article.public_path
    assert BODY_MARKER in client.get(article.public_path).content.decode()

    again = client.post(register, {"email": "reader@example.jp", "website": ""})
    assert "登録済みです。" in again.content.decode()
    fresh = unlock_path(smtp_server.wait_for(2)[1])
    claim = tokens.read_token(fresh.split("/")[-2])
    assert (claim.email, claim.article_id) == ("reader@example.jp", article.pk)
