import pytest
from django.core.cache import cache

from denshiban.newsroom.tests.factories import build_site


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty shared cache, so nothing cached leaks between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    """Home (site root), one section (経済) and the article folder."""
    return build_site()
