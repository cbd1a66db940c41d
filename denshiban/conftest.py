import pytest

from denshiban.newsroom.tests.factories import build_site


@pytest.fixture
def site(db):
    """Home (site root), one section (経済) and the article folder."""
    return build_site()
