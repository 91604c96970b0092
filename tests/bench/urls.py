"""The project's URLs plus /bench/bare/, the baseline the catalog page is compared with."""
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

ITEMS = [{"name": f"Item {n}", "price": f"{n * 3}.50", "url": f"/items/{n}/"} for n in range(1, 21)]

BARE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bare</title></head>
<body><h1>{{ title }}</h1>
<ul>{% for item in items %}
  <li><a href="{{ item.url }}">{{ item.name }}</a> <span class="price">${{ item.price }}</span></li>{% endfor %}
</ul></body></html>"""
)


def bare_view(request):
    """Renders 20 in-memory items through the template engine: no database, no context processors."""
    return HttpResponse(BARE.render({"title": "Bare view", "items": ITEMS}))


urlpatterns = [path("bench/bare/", bare_view), *project_urlpatterns]
