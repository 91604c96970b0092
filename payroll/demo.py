"""Demo payroll for the embedded default: a dozen fictional employees, two pay periods of
time, one approved and paid pay run. Every name and number here is invented."""
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payroll.models import Employee, PayRun
from payroll.services import payruns
from payroll.services.consent import consent_grant, longest_until
from payroll.services.ledger import Leg, entry_post
from payroll.services.people import (
    employee_create, maker_assign, new_hire_mark_reported, pay_rate_set, w4_record,
)
from payroll.services.time import time_entries_approve, time_entry_add
from shop.platform import roles
from shop.models import Product, User

DEMO_PASSWORD = "mended-demo-2026"
SELF_SERVICE_EMAIL = "employee@mended.example"
# (legal name, chosen name, filing status, production rate, bank?, names on products?)
PEOPLE = [
    ("Amara Okafor", "Amara", "single", "17.50", True, True),
    ("Lucia Fernandez", "Lucy", "head_of_household", "17.00", True, True),
    ("Mai Nguyen", "Mai", "single", "16.50", True, False),
    ("Grace Mensah", "Grace", "married_jointly", "18.00", True, True),
    ("Sofia Petrova", "Sofia", "single", "16.00", True, False),
    ("Hana Tesfaye", "Hana", "head_of_household", "17.00", True, False),
    ("Rosa Delgado", "Rosa", "single", "16.50", True, False),
    ("Ines Baptiste", "Ines", "single", "16.00", True, False),
    ("Priya Raman", "Priya", "married_jointly", "17.25", True, False),
    ("Dara Kim", "Dara", "single", "16.00", True, False),
    ("Noor Haddad", "Noor", "single", "15.50", False, False),
    ("Eva Lindqvist", "Eva", "head_of_household", "15.50", False, False),
]
ROUTINGS = ["021000021", "011000015", "122105278"]


@transaction.atomic
def seed_payroll_demo() -> list[str]:
    if Employee.objects.exists():
        return []
    calculator = User.objects.filter(groups__name=roles.PAYROLL_STAFF).first()
    approver = User.objects.filter(is_superuser=True).first()
    today = timezone.localdate()
    current_start, _, _ = payruns.pay_period_containing(today - timedelta(days=1))
    last_start, last_end, last_pay = payruns.pay_period_containing(current_start - timedelta(days=1))
    hire = last_start - timedelta(days=120)

    entry_post(  # what the fund held when these books began
        key="demo:opening-balance", on=hire, memo="Opening balance: grants and earlier sales",
        source_type="opening", source_id=None,
        legs=[Leg("opening_balance", Decimal("60000.00")), Leg("wage_fund", Decimal("-52000.00")),
              Leg("training_fund", Decimal("-8000.00"))],
    )
    products = list(Product.objects.order_by("pk"))
    people = []
    for n, (legal, chosen, status, rate, banked, credited) in enumerate(PEOPLE):
        employee = employee_create(
            actor=calculator, legal_name=legal, preferred_name=chosen, ssn=f"123-45-{6700 + n:04d}", hire_date=hire,
            status=Employee.Status.ARTISAN if n < 8 else Employee.Status.TRAINEE,
            date_of_birth=f"199{n % 10}-0{1 + n % 9}-1{n % 9}", address=f"{100 + n} Example Street, Tampa, FL 33602",
            email=f"person{n + 1}@example.org", phone=f"813-555-01{n:02d}",
            **({"bank_routing": ROUTINGS[n % 3], "bank_account": f"40012{n:04d}77", "bank_account_type": "checking" if n % 4 else "savings",
                "bank_prenote_sent": True} if banked else {}),
        )
        pay_rate_set(employee, "production", Decimal(rate), hire, calculator)
        pay_rate_set(employee, "training", Decimal("15.50"), hire, calculator)
        w4_record(employee, hire, calculator, filing_status=status)
        if credited and products:
            for product in products[n::len(PEOPLE)][:2]:
                maker_assign(employee, product, calculator)
            consent_grant(employee, use="name_credit", categories={"first_name"}, valid_from=today,
                          valid_until=longest_until(today), signed_how="paper", signed_on=today, actor=calculator,
                          purpose="Her first name on the products she makes", note="Signed consent form on file (demo)")
        people.append(employee)
    for employee in people[:-1]:  # the last hire's report is still to send: a to-do on the staff home
        new_hire_mark_reported(employee.pk, hire + timedelta(days=10), calculator)

    employee_user, _ = User.objects.get_or_create(
        email=SELF_SERVICE_EMAIL, defaults={"username": SELF_SERVICE_EMAIL, "first_name": "Amara"}
    )
    employee_user.set_password(DEMO_PASSWORD)
    employee_user.save()
    Employee.objects.filter(pk=people[0].pk).update(user=employee_user)

    for start in (last_start, current_start):
        ids = []
        for n, employee in enumerate(people):
            for offset in range(14):
                day = start + timedelta(days=offset)
                if day.weekday() >= 5 or day > today:
                    continue
                kind = "training" if (n >= 8 and day.weekday() in (1, 3)) or day.weekday() == 4 and n % 3 == 0 else "production"
                hours = Decimal("8") if kind == "production" else Decimal("4")
                ids.append(time_entry_add(employee, day, hours, kind, calculator, note="Demo").pk)
        time_entries_approve(ids, calculator)

    _seed_training(people, calculator, hire, today)
    _seed_consent(people, calculator, today)
    run = payruns.payrun_create(calculator, last_start, last_end, last_pay, note="Demo run")
    payruns.payrun_calculate(run.pk, calculator)
    payruns.payrun_approve(run.pk, approver)
    if last_pay <= today:
        payruns.payrun_mark_paid(run.pk, approver)
    return [
        f"  {'Employee (pay page)':<22} {SELF_SERVICE_EMAIL}",
        f"Demo payroll: {len(people)} employees, pay run {run.pk} {PayRun.objects.get(pk=run.pk).get_status_display().lower()}.",
    ]


def _seed_training(people, actor, hire, today) -> None:
    """Two programs (the program staff login leads both), enrollments, two sessions with paid
    attendance, one this week whose roster is still to mark, a finished trainee."""
    from payroll.models import Competency, Program, TrainingSession
    from payroll.services.training import records as training

    lead = User.objects.filter(groups__name=roles.PROGRAM_STAFF).order_by("pk").first()
    sewing = Program.objects.create(name="Sewing and production", required_hours=120, lead=lead,
                                    description="Machine and hand sewing, pattern work, quality checks.")
    money = Program.objects.create(name="Financial literacy", required_hours=24, lead=lead,
                                   description="Budgets, banking, credit and saving.")
    seams = Competency.objects.create(program=sewing, name="Straight and curved seams")
    Competency.objects.create(program=sewing, name="Quality inspection")
    Competency.objects.create(program=money, name="Monthly budget")
    for employee in people[8:]:
        training.enrollment_create(employee=employee, program=sewing, start_date=hire, actor=actor)
    for employee in people[:4]:
        training.enrollment_create(employee=employee, program=money, start_date=hire, actor=actor)
    finished = training.enrollment_create(employee=people[4], program=sewing, start_date=hire, actor=actor)
    training.enrollment_exit(finished.pk, status="completed", exit_date=hire + timedelta(days=90), reason="",
                             outcome="continuing_with_us", actor=actor)
    training.competency_signoff(people[4], seams, "competent", hire + timedelta(days=60), actor)
    training.credential_add(people[4], "Industrial sewing certificate", "Tampa Bay Technical College",
                            hire + timedelta(days=85), actor)
    monday = today - timedelta(days=today.weekday() + 7)
    for offset, topic in ((2, "Reading a monthly statement"), (4, "Building a budget")):
        session = TrainingSession.objects.create(program=money, date=monday + timedelta(days=offset), start_time="14:00",
                                                 end_time="15:30", topic=topic, trainer="Community bank volunteer")
        for employee in people[:4]:
            training.attendance_record(session, employee, "present", 90, actor)
        training.session_attendance_approve(session.pk, actor)
    TrainingSession.objects.create(program=sewing, date=monday + timedelta(days=7), start_time="09:00", end_time="12:00",
                                   topic="Setting a zip", trainer="Production lead")


def _seed_consent(people, actor, today) -> None:
    """-- consent (issue 24) --: three partners, a transcript consent naming the employer, a
    referral under a consent naming the legal partner, and a consent ending within 30 days."""
    from payroll.services.consent import partner_save, referral_create

    legal = partner_save(None, name="Gulf Coast Legal Aid", kind="service", services="Immigration and family law",
                         contact="Intake line, weekdays", actor=actor)
    housing = partner_save(None, name="Harbor Housing Partners", kind="service", services="Transitional housing",
                           contact="Case coordinator", actor=actor)
    employer = partner_save(None, name="Bayside Upholstery", kind="employer", services="Hiring sewing machinists",
                            contact="Hiring manager", actor=actor)
    partner_save(None, name="Suncoast Community Foundation", kind="funder", services="Workforce grant", actor=actor)
    finished = people[4]
    consent_grant(finished, use="transcript", categories={"identity", "training"}, recipient=employer, valid_from=today,
                  valid_until=today + timedelta(days=90), signed_how="paper", signed_on=today, actor=actor,
                  purpose="Her job application")
    consent_grant(people[8], use="referral", categories={"identity", "service_needs"}, recipient=legal,
                  valid_from=today, valid_until=today + timedelta(days=180), signed_how="e_signature", signed_on=today,
                  actor=actor, purpose="Help with a visa application")
    referral_create(people[8], partner=legal, service="legal", sent_on=today, actor=actor, note="Visa application")
    consent_grant(people[9], use="referral", categories={"identity", "service_needs"}, recipient=housing,
                  valid_from=today - timedelta(days=340), valid_until=today + timedelta(days=20), signed_how="verbal",
                  witness="Program lead", signed_on=today - timedelta(days=340), actor=actor, purpose="Housing search",
                  today=today)


VOLUNTEER_EMAIL = "volunteer@mended.example"
DEMO_WAIVER = """I am volunteering with Mended Threads of my own free will and without pay.

I will follow the coordinator's safety instructions, wear closed shoes in the warehouse and lift only what I safely can.
I understand that the people who make our goods are not part of volunteer days; I will not ask about, photograph or share
anything about them. I release Mended Threads from claims for injury or loss except where caused by its negligence.
Mended Threads may contact my emergency contact if I am hurt or unwell."""


@transaction.atomic
def seed_volunteer_demo() -> list[str]:
    """A waiver, a few upcoming work days (one nearly full, one weekly series) and a
    volunteer login with a signed waiver and a sign-up. Runs once."""
    from datetime import date, time

    from payroll.models import Skill, Volunteer, WaiverVersion
    from payroll.services.volunteers.shifts import ShiftDetails, shift_create
    from payroll.services.volunteers.signups import signup_create, volunteer_save, waiver_accept

    if WaiverVersion.objects.exists():
        return []
    coordinator = User.objects.filter(groups__name=roles.VOLUNTEER_COORDINATOR).first()
    now = timezone.now()
    waiver = WaiverVersion.objects.create(version=1, text=DEMO_WAIVER, published_at=now - timedelta(days=30))
    forklift = Skill.objects.create(name="Forklift certificate")
    Skill.objects.create(name="Retail till")
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    sorting = shift_create(ShiftDetails(
        title="Warehouse sorting day", location=settings.MENDED_ORG["ADDRESS"], day=saturday, start_time=time(9),
        end_time=time(13), description="Sort donated fabric and pack orders. Closed shoes, please.",
        roles=[("Warehouse sorting", 10), ("Packing", 4)]), coordinator,
        repeat_until=saturday + timedelta(days=28), except_dates=[saturday + timedelta(days=14)])
    popup = shift_create(ShiftDetails(
        title="Pop-up shop at the farmers' market", location="Hyde Park Village, Tampa", day=saturday + timedelta(days=1),
        start_time=time(10), end_time=time(15), minimum_age=16, roles=[("Pop-up shop", 3)]), coordinator)[0]
    shift_create(ShiftDetails(
        title="Loading the delivery van", location=settings.MENDED_ORG["ADDRESS"], day=saturday + timedelta(days=3),
        start_time=time(17), end_time=time(19), minimum_age=18, required_skills=(forklift,), roles=[("Loading", 2)]),
        coordinator)

    people = []
    for n, (name, email) in enumerate([("Robin Volunteer", VOLUNTEER_EMAIL), ("Jordan Helper", "jordan@example.org"),
                                       ("Casey Sample", "casey@example.org"), ("Morgan Example", "morgan@example.org")]):
        user, _ = User.objects.get_or_create(email=email, defaults={"username": email, "first_name": name.split()[0]})
        user.set_password(DEMO_PASSWORD)
        user.save()
        volunteer = volunteer_save(user, full_name=name, email=email, phone=f"813-555-02{n:02d}",
                                   emergency_contact_name="A. Friend", emergency_contact_phone="813-555-0299",
                                   date_of_birth=date(1985 + n, n + 3, 10 + n))
        waiver_accept(volunteer, version_id=waiver.pk, signed_name=name, ip="127.0.0.1", now=now - timedelta(days=n + 1))
        people.append(volunteer)
    robin = people[0]
    signup_create(robin.pk, sorting[0].roles.get(name="Warehouse sorting").pk)
    for volunteer in people[1:]:  # the pop-up shop is full: the next person is offered the waitlist
        signup_create(volunteer.pk, popup.roles.get().pk)
    return [
        f"  {'Volunteer':<22} {VOLUNTEER_EMAIL}",
        f"Demo volunteering: {Volunteer.objects.count()} volunteers, {len(sorting) + 2} upcoming work days.",
    ]
