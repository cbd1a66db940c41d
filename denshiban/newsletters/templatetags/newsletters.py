"""`{% newsletter_form article_id %}`: the place in the paywall where the unlock form loads.

The paywall sits in guest pages shared through the page cache, so it carries no form and
no CSRF token: htmx loads the form from a private URL, and without JavaScript a link
opens the form as a page.
"""

from django import template

register = template.Library()


@register.inclusion_tag("newsletters/_form_slot.html")
def newsletter_form(article_id: int) -> dict:
    return {"article_id": article_id}
