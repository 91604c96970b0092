"""The check-in kiosk: a coordinator opens one for a shift or a day with a PIN; volunteers
check themselves in and out there, by name or by the check-in code of their sign-up (the
QR code on their pass); the coordinator closes it with the PIN.

Every check-in and check-out here is idempotent: a replayed one (a queued check-in the
browser sends again after the network came back) changes nothing and says so. What the
kiosk tells people names them by first name and last initial only."""
import base64
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from payroll.models import Kiosk, Shift, SignUp
from payroll.selectors.volunteers import kiosk_signups, short_name
from payroll.services.volunteers import shifts
from payroll.services.volunteers.signups import VolunteerError

PIN = re.compile(r"^[0-9]{4,8}$")
# How long after its shift (or its day) a kiosk keeps working, for late check-outs.
GRACE = timedelta(hours=2)
# A queued check-in may carry the time it was tapped; one older than the kiosk (or from the
# future) is a wrong clock, and the time it reaches the server is used instead.
CLOCK_SLACK = timedelta(minutes=5)
ACTIONS = ("check-in", "check-out")


# -- check-in codes ---------------------------------------------------------------------


def _mac(signup_id: int) -> str:
    digest = salted_hmac("mended.volunteers.kiosk.checkin", str(signup_id)).digest()
    return base64.b32encode(digest).decode()[:10]


def checkin_code(signup: SignUp | int) -> str:
    """The sign-up's check-in code, ``<id>-<10 letters>``: what its QR code carries and what
    a volunteer types when no camera works. Signed with the secret key, so it is not guessed."""
    signup_id = signup if isinstance(signup, int) else signup.pk
    return f"{signup_id}-{_mac(signup_id)}"


def signup_for_code(code: str) -> int | None:
    """The sign-up id a check-in code names, or None if it is not a code we made."""
    match = re.fullmatch(r"\s*(\d{1,12})-([A-Za-z2-7]{10})\s*", code or "")
    if not match:
        return None
    signup_id = int(match.group(1))
    return signup_id if constant_time_compare(match.group(2).upper(), _mac(signup_id)) else None


def checkin_qr_svg(code: str) -> str:
    """The code as a QR code, inline SVG (no image request, nothing loaded from elsewhere)."""
    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4).to_string(encoding="unicode")
    return re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)


# -- opening and closing ----------------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@transaction.atomic
def kiosk_open(actor, *, pin: str, shift_id: int | None = None, day: date | None = None,
               now: datetime | None = None) -> Kiosk:
    """A kiosk for one shift (until two hours after it ends) or one day (every shift that
    starts that day, until two hours after midnight); ``pin`` ends it later."""
    now = now or timezone.now()
    if not PIN.match(pin or ""):
        raise VolunteerError("Choose a PIN of 4 to 8 digits.")
    if (shift_id is None) == (day is None):
        raise VolunteerError("Open the kiosk for one shift or one day.")
    if shift_id is not None:
        shift = Shift.objects.filter(pk=shift_id).first()
        if shift is None:
            raise VolunteerError("No such shift.")
        if shift.cancelled:
            raise VolunteerError("This shift was cancelled.")
        expires = shift.ends_at + GRACE
        if now < shift.starts_at - timedelta(hours=12):
            raise VolunteerError("Open the kiosk on the day: check-in opens two hours before the shift.")
    else:
        start, end = _day_bounds(day)
        if not start <= now < end:
            raise VolunteerError("A kiosk for a day is opened on that day.")
        expires = end + GRACE
    if expires <= now:
        raise VolunteerError("This shift is over; the kiosk would have nothing to do.")
    return Kiosk.objects.create(shift_id=shift_id, day=day if shift_id is None else None, pin_hash=make_password(pin),
                                opened_by=actor if getattr(actor, "pk", None) else None, opened_at=now, expires_at=expires)


def kiosk_active(kiosk_id, now: datetime | None = None) -> Kiosk | None:
    """The kiosk if it is still open and in date (None when closed or expired)."""
    if not isinstance(kiosk_id, int):
        return None
    return (Kiosk.objects.select_related("shift").filter(pk=kiosk_id, closed_at__isnull=True,
                                                         expires_at__gt=now or timezone.now()).first())


def pin_matches(kiosk: Kiosk, pin: str) -> bool:
    return bool(PIN.match(pin or "")) and check_password(pin, kiosk.pin_hash)


def kiosk_close(kiosk_id: int, now: datetime | None = None) -> None:
    Kiosk.objects.filter(pk=kiosk_id, closed_at__isnull=True).update(closed_at=now or timezone.now())


# -- checking in and out ----------------------------------------------------------------


@dataclass
class KioskResult:
    signup_id: int
    name: str  # first name and last initial
    state: str  # "in", "out"
    changed: bool
    message: str


def _when(kiosk: Kiosk, at: datetime | None, now: datetime) -> datetime:
    if at is None or at > now + CLOCK_SLACK or at < kiosk.opened_at - CLOCK_SLACK:
        return now
    return min(at, now)


def kiosk_check(kiosk: Kiosk, action: str, *, signup_id: int | None = None, code: str = "", at: datetime | None = None,
                now: datetime | None = None) -> KioskResult:
    """Check a volunteer in or out at the kiosk, by sign-up (a tap on their name) or by their
    check-in code. ``at``: when it was tapped, for a check-in queued while offline. Doing it
    again changes nothing (the first time stands). A sign-up this kiosk does not serve, a
    code we did not make, or an unsigned waiver is refused with a ``VolunteerError``."""
    now = now or timezone.now()
    if action not in ACTIONS:
        raise VolunteerError("Check in or check out.")
    if code:
        signup_id = signup_for_code(code)
        if signup_id is None:
            raise VolunteerError("That is not a check-in code. Try again, or find your name.")
    if signup_id is None:
        raise VolunteerError("Find your name, or scan your check-in code.")
    moment = _when(kiosk, at, now)
    with shifts.one_writer(), transaction.atomic():
        signup = (kiosk_signups(kiosk).select_for_update().select_related("volunteer", "shift")
                  .filter(pk=signup_id).first())
        if signup is None:
            raise VolunteerError("That sign-up is not on this kiosk's shift. Please see the coordinator.")
        name = short_name(signup.volunteer.full_name)
        actor = kiosk.opened_by
        if action == "check-in":
            if signup.checked_in_at is not None:
                return KioskResult(signup.pk, name, "out" if signup.checked_out_at else "in", False,
                                   f"{name} is already checked in.")
            done = shifts.check_in(signup.pk, actor, now=moment)
            message = f"Welcome, {name}: you are checked in."
            if done.members_left_out:
                names = ", ".join(short_name(m.full_name) for m in done.members_left_out)
                message += (f" Not checked in: {names}, whose volunteer waiver is not signed. "
                            "They cannot start until they sign it from their own link: please see the coordinator.")
            return KioskResult(signup.pk, name, "in", True, message)
        if signup.checked_out_at is not None:
            return KioskResult(signup.pk, name, "out", False, f"{name} has already checked out.")
        if signup.checked_in_at is None:
            raise VolunteerError(f"{name} has not checked in yet.")
        done = shifts.check_out(signup.pk, actor, now=max(moment, signup.checked_in_at))
        return KioskResult(signup.pk, name, "out", True, f"Thank you, {name}: {done.hours} hours today.")


def kiosk_sync(kiosk: Kiosk, queued: list[dict], now: datetime | None = None) -> list[dict]:
    """Check-ins and check-outs the browser queued while offline, in the order they were
    tapped. Each answers on its own (one refused does not stop the rest); replays change
    nothing, so sending a queue twice is harmless."""
    now = now or timezone.now()
    answers = []
    for item in queued[:200]:
        at = item.get("at")
        try:
            result = kiosk_check(kiosk, item.get("action", ""), signup_id=item.get("signup"), code=item.get("code") or "",
                                 at=at, now=now)
        except VolunteerError as error:
            answers.append({"id": item.get("id"), "ok": False, "message": error.message})
        else:
            answers.append({"id": item.get("id"), "ok": True, "changed": result.changed, "signup": result.signup_id,
                            "state": result.state, "message": result.message})
    return answers
