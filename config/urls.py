from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.views.static import serve

from shop.platform.security import throttle_failed_logins
from shop.views.pages import healthz

# Staff sign in through the same throttled login as everyone else; the admin's own form
# (shown to someone logged in without staff access) counts against the same limits.
admin.site.login = login_required(throttle_failed_logins(admin.site.login))
admin.site.site_header = "Mended staff"
admin.site.site_title = "Mended staff"

# allauth's own rate limits (password-reset e-mails, sign-ups) answer with Mended's 429 page.
handler429 = "shop.views.limits.allauth_too_many"

# The shop's public pages first: Django tries the patterns in order on every request, and the
# payroll's ~95 (staff pages, employees' and volunteers' own) before them were a tenth of a
# cached page's time. No URL matches a pattern of both (tests/test_access.py checks).
urlpatterns = [
    path("", include("shop.urls")),
    path("", include("payroll.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("healthz", healthz, name="healthz"),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
