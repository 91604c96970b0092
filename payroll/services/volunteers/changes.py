"""Change notices: a real change to a shift (its time, place or a role's name) or its
cancellation tells everyone signed up or waitlisted, once per change, with the new details
and a fresh ``.ics``.

``change_record`` runs inside the coordinator's transaction: it writes one ``ShiftChange``
and one ``ChangeNotice`` per person to tell, and queues ``send_shift_change`` for after the
commit (a rolled-back edit tells nobody). ``change_notices_send`` (the task) sends each
notice still unsent and marks it sent in the same transaction, so a retried task, or a
second worker, sends nothing twice."""
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from payroll.models import ChangeNotice, Shift, ShiftChange, SignUp
from payroll.services.volunteers.documents import shift_ics
from payroll.services.volunteers.notify import email, site_link, text_if_chosen
from payroll.services.volunteers.signups import one_writer, when

SUBJECTS = {
    ShiftChange.Kind.CHANGED: "Changed: {title} is now {day} at {time}",
    ShiftChange.Kind.CANCELLED: "Cancelled: {title} on {day}",
}
TEMPLATES = {
    ShiftChange.Kind.CHANGED: "payroll/email/volunteer_shift_changed",
    ShiftChange.Kind.CANCELLED: "payroll/email/volunteer_shift_cancelled",
}


def change_words(shift: Shift, before: dict, renamed: list[tuple[str, str]]) -> list[str]:
    """What changed, in words, from ``before`` (starts_at, ends_at, location) to ``shift`` now."""
    what = []
    if (before["starts_at"], before["ends_at"]) != (shift.starts_at, shift.ends_at):
        old_end = before["ends_at"].astimezone(shift.zone)
        what.append(f"When: {when(shift.starts_at, shift)} to {shift.local_end:%-I:%M %p} "
                    f"(was {when(before['starts_at'], shift)} to {old_end:%-I:%M %p})")
    if before["location"] != shift.location:
        what.append(f"Where: {shift.location} (was {before['location']})")
    what += [f"Role: {new} (was {old})" for old, new in renamed]
    return what


def change_record(shift: Shift, kind: str, what: list[str], actor, signups) -> int:
    """Record the change and who to tell (``signups``: active sign-ups); returns how many."""
    change = ShiftChange.objects.create(shift=shift, kind=kind, what=what, made_by=actor if getattr(actor, "pk", None) else None)
    ids = list(signups.filter(status__in=SignUp.ACTIVE).values_list("pk", flat=True))
    ChangeNotice.objects.bulk_create([ChangeNotice(change=change, signup_id=signup_id) for signup_id in ids])
    if ids:
        from payroll.tasks import send_shift_change

        transaction.on_commit(lambda: send_shift_change.delay(change.pk))
    return len(ids)


def _values(signup: SignUp, change: ShiftChange) -> dict:
    shift = signup.shift
    return {
        "title": shift.title, "role": signup.role.name, "location": shift.location,
        "start": when(shift.starts_at, shift), "end": f"{shift.local_end:%-I:%M %p}", "day": f"{shift.local_start:%a %b %-d}",
        "time": f"{shift.local_start:%-I:%M %p}", "party_size": signup.party_size,
        "waitlisted": signup.status == SignUp.Status.WAITLISTED, "reason": shift.cancel_reason, "what": change.what,
        "link": site_link(reverse("payroll:volunteer_home")), "shifts_link": site_link(reverse("payroll:volunteer_shifts")),
    }


def change_notices_send(change_id: int) -> int:
    """Send every notice of this change not sent yet; returns how many went now."""
    change = ShiftChange.objects.select_related("shift").filter(pk=change_id).first()
    if change is None:
        return 0
    calendar = shift_ics(change.shift)
    sent = 0
    for notice_id in change.notices.filter(sent_at__isnull=True).values_list("pk", flat=True):
        with one_writer(), transaction.atomic():
            notice = (ChangeNotice.objects.select_for_update().select_related("signup__volunteer", "signup__shift", "signup__role")
                      .get(pk=notice_id))
            if notice.sent_at is not None:  # another run sent it meanwhile
                continue
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
            signup = notice.signup
            if signup.status == SignUp.Status.CANCELLED:  # they cancelled before it went: nothing to tell
                continue
            values = _values(signup, change)
            # A failure here rolls back ``sent_at``: the retry sends this notice again, not the others.
            subject = SUBJECTS[change.kind].format(**values)
            email(signup.volunteer, subject, TEMPLATES[change.kind], values,
                  attachments=[(f"shift-{change.shift_id}.ics", calendar, "text/calendar")])
            text_if_chosen(signup.volunteer, subject, TEMPLATES[change.kind], values)
            sent += 1
    return sent
