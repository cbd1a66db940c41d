import pytest

from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article

from .factories import expert_with_account


@pytest.fixture
def article(site):
    return add_article(
        index=site["index"],
        section=site["section"],
        title="日銀、追加利上げを決定",
        access_level=AccessLevel.PAID,
    )


@pytest.fixture
def expert(db):
    return expert_with_account(name="佐久間玲子", slug="sakuma", title="経済学者")
