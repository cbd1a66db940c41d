"""Templates never reach an article's body except through the cut article (`reading.body`)."""

import re
from pathlib import Path

from django.conf import settings

from denshiban.access.reading import PAID_PART_CLASS

TEMPLATES = Path(settings.BASE_DIR) / "templates"
DIRECT_BODY = re.compile(r"\b(?:page|article|self|object|item|value\.article)\.body\b")


def test_no_template_renders_an_article_body_directly():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if DIRECT_BODY.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_article_template_marks_the_paid_part_for_structured_data():
    html = (TEMPLATES / "newsroom" / "article_page.html").read_text(encoding="utf-8")
    assert PAID_PART_CLASS in html
