"""Volunteers, waivers and shifts for the volunteer tests (all times relative to now)."""
from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from payroll.models import Shift, ShiftRole, Volunteer, WaiverVersion
from payroll.services.volunteers.signups import waiver_accept, waiver_current
from tests.support.factories import UserFactory


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Val Volunteer{n}")
    email = factory.LazyAttribute(lambda v: v.user.email)
    phone = "813-555-0100"
    emergency_contact_name = "Em Contact"
    emergency_contact_phone = "813-555-0199"
    date_of_birth = date(1990, 1, 1)


def publish_waiver(version=1, text="I take part at my own risk and follow the coordinator's safety instructions."):
    return WaiverVersion.objects.create(version=version, text=text, published_at=timezone.now() - timedelta(minutes=1))


def signed_volunteer(**kwargs) -> Volunteer:
    """A volunteer with the current waiver signed (publishing one if there is none)."""
    current = waiver_current() or publish_waiver()
    volunteer = VolunteerFactory(**kwargs)
    guardian = {}
    if volunteer.age_on(timezone.localdate()) < 18:
        guardian = {"guardian_name": "Pat Parent", "guardian_email": "pat@example.org", "guardian_agrees": True}
    waiver_accept(volunteer, version_id=current.pk, signed_name=volunteer.full_name, ip="127.0.0.1", **guardian)
    return volunteer


def ten_am_in(days: int) -> timedelta:
    """``starts_in`` for a shift at 10:00 local time ``days`` from today: a 4-hour shift then
    stays inside one day whatever the time the tests run (a copy or an edit needs that)."""
    ten = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(10)))
    return ten - timezone.now()


def make_shift(*, starts_in=timedelta(days=7), hours=4, roles=(("Warehouse sorting", 10),), **fields) -> Shift:
    starts = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    shift = Shift.objects.create(title=fields.pop("title", "Warehouse day"), location=fields.pop("location", "100 Harbor St"),
                                 starts_at=starts, ends_at=starts + timedelta(hours=hours), **fields)
    for name, capacity in roles:
        ShiftRole.objects.create(shift=shift, name=name, capacity=capacity)
    return shift
