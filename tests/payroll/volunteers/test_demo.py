"""The demo has a waiver, upcoming work days and a volunteer login, once."""
import pytest
from django.core.management import call_command

from payroll.models import Shift, SignUp, Volunteer, WaiverVersion
from shop.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_volunteer_days_once(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
        call_command("seed_demo")
    out = capsys.readouterr().out
    assert "volunteer@mended.example" in out
    assert WaiverVersion.objects.count() == 1
    robin = Volunteer.objects.get(user__email="volunteer@mended.example")
    assert robin.user.check_password(DEMO_PASSWORD) and robin.waivers.exists()
    assert Shift.objects.filter(series__isnull=False).count() == 4  # five Saturdays, one skipped
    assert Shift.objects.count() == 6
    assert SignUp.objects.filter(status="confirmed").count() == 4
