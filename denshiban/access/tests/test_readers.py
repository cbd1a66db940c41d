from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from denshiban.access.readers import (
    UNLOCK_GRANTS_SESSION_KEY,
    Reader,
    as_reader,
    keep_unlock_grant,
    reader_from_request,
)


def _request(session=None):
    request = RequestFactory().get("/article/1/")
    request.user = AnonymousUser()
    request.session = session if session is not None else SessionStore()
    return request


def test_guest_without_a_session_has_no_grants():
    reader = reader_from_request(_request())
    assert reader.unlock_grant_ids == frozenset()
    assert reader.is_signed_in is False


def test_grants_kept_in_the_session_come_back_with_the_reader(db):
    session = SessionStore()
    keep_unlock_grant(session, 7)
    keep_unlock_grant(session, 3)
    keep_unlock_grant(session, 7)
    session.save()

    reader = reader_from_request(_request(SessionStore(session.session_key)))

    assert session[UNLOCK_GRANTS_SESSION_KEY] == [3, 7]
    assert reader.unlock_grant_ids == frozenset({3, 7})


def test_users_and_none_become_readers():
    assert as_reader(None) == Reader()
    reader = Reader(unlock_grant_ids=frozenset({1}))
    assert as_reader(reader) is reader
