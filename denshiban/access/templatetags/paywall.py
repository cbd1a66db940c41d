from typing import Any

from django import template

from denshiban.access.paywall import paywall_for
from denshiban.access.reading import Reading

register = template.Library()


@register.inclusion_tag("components/paywall.html", takes_context=True)
def paywall(context: template.Context, reading: Reading) -> dict[str, Any]:
    request = context.get("request")
    return {"paywall": paywall_for(reading, getattr(request, "user", None))}
