from datetime import timedelta

import pytest

from denshiban.newsletters import tokens

from .conftest import token_made_ago


def test_token_round_trips_address_and_article():
    claim = tokens.read_token(tokens.make_token("reader@example.jp", 42))
    assert claim == tokens.UnlockClaim(email="reader@example.jp", article_id=42)


def test_altered_token_is_refused():
    token = tokens.make_token("reader@example.jp", 42)
    with pytest.raises(tokens.InvalidLink) as refused:
        tokens.read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert not refused.value.expired


def test_token_signed_with_another_key_is_refused(settings):
    token = tokens.make_token("reader@example.jp", 42)
    settings.SECRET_KEY = "another-key-entirely-" * 3
    with pytest.raises(tokens.InvalidLink):
        tokens.read_token(token)


def test_token_expires_after_seven_days():
    token = token_made_ago("reader@example.jp", 42, tokens.LINK_VALIDITY + timedelta(minutes=1))
    with pytest.raises(tokens.InvalidLink) as refused:
        tokens.read_token(token)
    assert refused.value.expired


def test_token_six_days_old_still_opens():
    token = token_made_ago("reader@example.jp", 42, timedelta(days=6))
    assert tokens.read_token(token).article_id == 42
