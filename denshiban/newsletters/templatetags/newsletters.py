"""`{% newsletter_form article_id %}`: the unlock form the paywall shows guests."""

from django import template

from ..forms import RegistrationForm
from ..views import form_area_context

register = template.Library()


@register.inclusion_tag("newsletters/_form.html")
def newsletter_form(article_id: int) -> dict:
    return form_area_context(article_id=article_id, form=RegistrationForm())
