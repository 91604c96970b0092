from django import template

from shop.models import GivingCircle

register = template.Library()


@register.simple_tag
def led_circles(user):
    """The giving circles ``user`` leads (for links to their leaders' pages)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(GivingCircle.objects.filter(leaders=user).only("name", "slug"))
