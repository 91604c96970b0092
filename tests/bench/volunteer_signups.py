"""100 volunteers signing up for one role at the same moment, next to the same sign-ups one by one.

    python3 dev.py bench volunteer_signups       # or: .venv/bin/python -m tests.bench volunteer_signups
    python -m tests.bench volunteer_signups --volunteers 200 --places 10 --connections 20

Set-up (not measured): N volunteers with the current waiver signed and a shift with one
role of --places places. Measured: N threads released together, each calling
``signup_create(volunteer, role, waitlist=True)`` on its own database connection (at most
--connections at a time, as a web server's pool would allow); the role's row lock makes
them take turns. Checked: exactly --places confirmed and the rest waitlisted, no errors.
The baseline is the same N sign-ups made one after the other on one connection, on a
fresh shift; the ratio is concurrent time over sequential time (the cost of contention).
"""
from __future__ import annotations

import sys
import threading
import time
from datetime import timedelta

from tests.bench.common import Row, main_for

NAME = "volunteer_signups"


def sign_up(volunteers, concurrent: bool, places: int, connections: int) -> float:
    from django.db import connection

    from payroll.models import SignUp
    from payroll.services.volunteers.signups import signup_create
    from tests.payroll.volunteers.factories import make_shift

    # A shift of its own for each round, a week apart, so the rounds' sign-ups do not overlap.
    role = make_shift(starts_in=timedelta(days=7 if concurrent else 14), roles=(("Pop-up shop", places),)).roles.get()
    errors: list[str] = []
    if concurrent:
        go, pool = threading.Event(), threading.Semaphore(connections)

        def attempt(volunteer_id):
            go.wait(60)
            with pool:
                try:
                    signup_create(volunteer_id, role.pk, waitlist=True)
                except Exception as error:
                    errors.append(repr(error))
                finally:
                    connection.close()

        threads = [threading.Thread(target=attempt, args=(v.pk,)) for v in volunteers]
        for thread in threads:
            thread.start()
        began = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join(300)
    else:
        began = time.perf_counter()
        for volunteer in volunteers:
            signup_create(volunteer.pk, role.pk, waitlist=True)
    seconds = time.perf_counter() - began
    assert not errors, f"{len(errors)} sign-ups failed: {errors[:3]}"
    confirmed = SignUp.objects.filter(role=role, status=SignUp.Status.CONFIRMED).count()
    waitlisted = SignUp.objects.filter(role=role, status=SignUp.Status.WAITLISTED).count()
    assert (confirmed, waitlisted) == (places, len(volunteers) - places), f"{confirmed} confirmed, {waitlisted} waitlisted"
    return seconds


def run(args, where: str) -> Row:
    from tests.support.factories import UserFactory
    from tests.payroll.volunteers.factories import signed_volunteer

    UserFactory.reset_sequence(int(time.time()))  # the database may hold an earlier run's users
    volunteers = [signed_volunteer() for _ in range(args.volunteers)]
    concurrent = sign_up(volunteers, True, args.places, args.connections)
    sequential = sign_up(volunteers, False, args.places, args.connections)
    print(f"{args.volunteers} at once: {concurrent:.2f} s; one by one: {sequential:.2f} s")
    return Row(
        NAME,
        figure=f"{args.volunteers} at once for {args.places} places: {concurrent:.2f} s ({args.volunteers / concurrent:.0f}/s)",
        baseline=f"one by one: {sequential:.2f} s",
        ratio=f"{concurrent / sequential:.2f}",
        note=f"{args.places} confirmed, {args.volunteers - args.places} waitlisted, no errors; "
        f"{args.connections} connections; {where}",
    )


def options(parser) -> None:
    parser.add_argument("--volunteers", type=int, default=100)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20, help="database connections at a time (default 20)")


if __name__ == "__main__":
    sys.exit(main_for(NAME, __doc__.split("\n")[0], options, run))
