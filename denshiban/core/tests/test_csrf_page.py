"""A refused form post gets a Japanese page in the site's layout, not Django's English one."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_csrf_failure_page_is_japanese(site):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.jp", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "送信できませんでした" in body
    assert "Cookie" in body
    assert "Forbidden" not in body
