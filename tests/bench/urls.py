"""The project's URLs plus /bench/bare/ (the bare project's view, here behind all of Mended's
middleware: what the middleware costs)."""
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.bench.bare.urls import bare_view

urlpatterns = [path("bench/bare/", bare_view), *project_urlpatterns]
