"""The staff home: every staff role lands here after login and sees its to-dos."""
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from payroll.selectors.staff import staff_home
from shop.platform.security import is_staff_user


def home(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_staff_user(request.user):
        raise PermissionDenied
    sections = staff_home(request.user, timezone.localdate())
    return render(request, "payroll/staff/home.html", {"sections": sections,
                                                        "no_role": not sections and not request.user.is_staff})
