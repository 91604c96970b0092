"""/bench/bare/: 20 in-memory items through the template engine, no database, no context processors.
Mended's bench URLs (tests/bench/urls.py) serve the same view behind all of Mended's middleware."""
from django.http import HttpResponse
from django.template import engines
from django.urls import path

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
    return HttpResponse(BARE.render({"title": "Bare view", "items": ITEMS}))


urlpatterns = [path("bench/bare/", bare_view)]
