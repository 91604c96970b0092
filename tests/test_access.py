"""The access table: every URL pattern of the project, every role, the expected answer.

A URL pattern missing from ``ACCESS`` fails the test, so each new URL arrives with its
row. Object URLs are resolved with real objects. The answers:

OK 200 · LOGIN a redirect to a login page · REDIRECT another redirect · DENIED 403 ·
NOT_FOUND 404 · NO_GET 405 (the URL takes POST only).
"""
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLResolver, clear_url_caches, get_resolver

from payroll.models import Account, AuditEvent, Cohort, Consent, MinimumWage, Program, TimeEntry, TrainingSession
from payroll.services.ledger import Leg, entry_post
from shop import roles
from shop.models import (
    BoxSize,
    Cart,
    CartLine,
    ClassicBox,
    GiftDesign,
    GiftOrder,
    Order,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    PaletteColour,
    Pledge,
    ProductImage,
    Proof,
    StripeEvent,
    VolumeTier,
)
from shop.selectors.orders import order_token
from tests.factories import OrderFactory, UserFactory, VariantFactory, recipient_list_for
from tests.payroll.factories import EmployeeFactory, PayRunFactory, PayStubFactory

OK, LOGIN, REDIRECT, DENIED, NOT_FOUND, NO_GET = "OK", "LOGIN", "REDIRECT", "DENIED", "NOT_FOUND", "NO_GET"
ROLES = ("anonymous", "customer", "shop_staff", "payroll_staff", "program_staff", "volunteer_coordinator", "superuser")
STAFF_GROUPS = {
    "shop_staff": roles.SHOP_STAFF,
    "payroll_staff": roles.PAYROLL_STAFF,
    "program_staff": roles.PROGRAM_STAFF,
    "volunteer_coordinator": roles.VOLUNTEER_COORDINATOR,
}


def row(anonymous, customer, shop_staff, payroll_staff, program_staff, volunteer_coordinator, superuser, probe=None):
    answers = (anonymous, customer, shop_staff, payroll_staff, program_staff, volunteer_coordinator, superuser)
    return dict(zip(ROLES, answers)), probe


def everyone(answer, probe=None):
    return row(*[answer] * len(ROLES), probe=probe)


def staff(staff_answer, superuser_answer=None, probe=None, **overrides):
    """Admin pages: anonymous and customers are sent to log in; staff get ``staff_answer``."""
    answers = {r: staff_answer for r in ROLES}
    answers.update(anonymous=LOGIN, customer=LOGIN, superuser=superuser_answer or staff_answer)
    answers.update(overrides)
    return row(*(answers[r] for r in ROLES), probe=probe)


def admin_model(prefix, managers, add=OK, delete=OK):
    """The rows of one admin model; ``managers`` are the roles with its permissions.

    ``add``/``delete`` say what managers get there (DENIED where nobody may add or delete).
    """
    def by_role(allowed):
        return staff(DENIED, superuser_answer=allowed, **{r: allowed for r in managers})

    return {
        prefix: by_role(OK),
        prefix + "add/": by_role(add),
        prefix + "<path:object_id>/history/": by_role(OK),
        prefix + "<path:object_id>/delete/": by_role(delete),
        prefix + "<path:object_id>/change/": by_role(OK),
        prefix + "<path:object_id>/": staff(REDIRECT),  # redirects to change/, which checks permissions
    }


CATALOG_MANAGERS = ("shop_staff",)
PAYROLL_READERS = ("payroll_staff",)
PROGRAM_MANAGERS = ("program_staff",)
VOLUNTEER_MANAGERS = ("volunteer_coordinator",)

ACCESS = {
    # The shop: public.
    "": everyone(OK),
    "shop/": everyone(OK),
    "shop/category/<slug:slug>/": everyone(OK),
    "shop/product/<slug:slug>/": everyone(OK),
    "cart/": everyone(OK),
    "cart/lines/<int:line_id>/": everyone(NO_GET),
    "cart/lines/<int:line_id>/remove/": everyone(NO_GET),
    "weather/": everyone(OK),
    # The pledge: public. The thank-you page sends anyone who has not just pledged back to the form.
    "pledge/": everyone(OK),
    "pledge/thanks/": everyone(REDIRECT),
    "pledge/badge/<str:badge>/": everyone(OK, probe="/pledge/badge/{pledge_badge}/"),
    "pledge/badge/<str:badge>.svg": everyone(OK, probe="/pledge/badge/{pledge_badge}.svg"),
    # Gift boxes: the sample design belongs to an organisation none of these roles is in.
    "gifts/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "gifts/designs/<int:design_id>/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "gifts/designs/<int:design_id>/items/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/details/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/logo/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/logo/file/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "gifts/designs/<int:design_id>/duplicate/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/order/": everyone(NO_GET),
    "gifts/orders/<str:number>/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, probe="/gifts/orders/{gift_order}/"),
    "gifts/orders/<str:number>/review/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/review/"),
    "gifts/orders/<str:number>/pay/setup/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/pay/setup/"),
    "gifts/orders/<str:number>/pay/confirm/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/pay/confirm/"),
    "staff/gifts/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "gifts/orders/<str:number>/invoice.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                 probe="/gifts/orders/{gift_order}/invoice.pdf"),
    "staff/gifts/invoices/<int:invoice_id>/paid/": everyone(NO_GET, probe="/staff/gifts/invoices/1/paid/"),
    "staff/gifts/orders/<str:number>/proof/": everyone(NO_GET, probe="/staff/gifts/orders/{gift_order}/proof/"),
    "gifts/designs/<int:design_id>/quote.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "gifts/orders/<str:number>/proofs/<int:proof_id>/": row(LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,
                                                            probe="/gifts/orders/{gift_order}/proofs/{proof}/"),
    "gifts/orders/<str:number>/impact.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                probe="/gifts/orders/{gift_order}/impact.pdf"),
    "gifts/recipients/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "gifts/recipients/template.csv": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "gifts/recipients/<int:list_id>/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                           probe="/gifts/recipients/{recipient_list}/"),
    "gifts/recipients/<int:list_id>/progress/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                    probe="/gifts/recipients/{recipient_list}/progress/"),
    "gifts/organisations/<slug:slug>/members/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                    probe="/gifts/organisations/acme/members/"),
    "gifts/organisations/<slug:slug>/members/<int:member_id>/remove/": everyone(
        NO_GET, probe="/gifts/organisations/acme/members/{member}/remove/"),
    "gifts/organisations/<slug:slug>/invitations/<int:invitation_id>/withdraw/": everyone(
        NO_GET, probe="/gifts/organisations/acme/invitations/{invitation}/withdraw/"),
    # Whoever holds the secret link sees which organisation invites them; only the addressee can accept.
    "gifts/invitations/<str:token>/": row(LOGIN, OK, OK, OK, OK, OK, OK, probe="/gifts/invitations/{invitation_token}/"),
    "staff/gifts/orders/<str:number>/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK,
                                            probe="/staff/gifts/orders/{gift_order}/"),
    "staff/gifts/orders/<str:number>/export/<slug:kind>.csv": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK,
                                                                  probe="/staff/gifts/orders/{gift_order}/export/labels.csv"),
    "staff/gifts/orders/<str:number>/<slug:action>/": everyone(NO_GET, probe="/staff/gifts/orders/{gift_order}/production/"),
    "checkout/": everyone(REDIRECT),  # the prober's cart is empty: back to the cart
    "checkout/pay/<str:token>/": everyone(REDIRECT),  # the sample order is paid: on to its page
    "checkout/pay/<str:token>/setup/": everyone(NO_GET),
    "checkout/pay/<str:token>/confirm/": everyone(NO_GET),
    "orders/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "orders/<str:number>/": row(LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),  # the customer's own
    "order-link/<str:token>/": everyone(OK),  # the signed link is the key
    "order-link/<str:token>/status/": everyone(OK),
    "stripe/webhook/": everyone(NO_GET),
    # Payroll staff pages.
    "staff/wage-fund/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/wage-fund/entries/<int:entry_id>/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/progress/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/nacha/": row(LOGIN, DENIED, DENIED, REDIRECT, DENIED, DENIED, REDIRECT),  # a draft has no file
    "staff/payroll/runs/<int:run_id>/<slug:action>/": everyone(NO_GET),
    "staff/payroll/reports/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/w2/<int:year>.csv": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    # Training records: program staff only (payroll staff see training hours as time entries).
    "staff/training/participants/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/<slug:action>/": row(LOGIN, DENIED, DENIED, DENIED, NO_GET, DENIED, NO_GET),
    # The sample participant consented to sharing the transcript (without it: 403 for everyone).
    "staff/training/participants/<int:employee_id>/transcript.pdf": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/export.json": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/export.pdf": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/dashboard/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/dashboard.csv": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "me/time/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),  # employees who may enter hours
    "me/pay/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),  # only employees have a pay page
    "me/pay/stubs/<int:stub_id>/pdf/": row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK),
    "healthz": everyone(OK),
    "^media/(?P<path>.*)$": everyone(OK, probe="/media/{image}"),
    # Accounts (django-allauth).
    "accounts/login/": row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/signup/": row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/logout/": row(REDIRECT, OK, OK, OK, OK, OK, OK),
    "accounts/inactive/": everyone(OK),
    "accounts/reauthenticate/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "accounts/email/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "accounts/confirm-email/": everyone(OK),
    "accounts/password/change/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "accounts/password/set/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/password/reset/": everyone(OK),
    "accounts/password/reset/done/": everyone(OK),
    "accounts/password/reset/key/done/": everyone(OK),
    "accounts/login/code/confirm/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": everyone(OK, probe="/accounts/confirm-email/not-a-real-key/"),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": everyone(
        OK, probe="/accounts/password/reset/key/1-not-a-real-key/"
    ),
    # Staff admin.
    "admin/": staff(OK),
    "admin/login/": row(LOGIN, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "admin/logout/": staff(NO_GET, anonymous=REDIRECT, customer=REDIRECT),  # non-staff go to admin index
    "admin/password_change/": staff(OK),
    "admin/password_change/done/": staff(OK),
    "admin/autocomplete/": staff(DENIED),  # a bare request names no field to complete
    "admin/jsi18n/": staff(OK),
    "admin/r/<path:content_type_id>/<path:object_id>/": staff(REDIRECT, probe="/admin/r/{product_ct}/{product}/"),
    "admin/^(?P<app_label>auth|shop|payroll|account)/$": staff(NOT_FOUND, superuser_answer=OK, shop_staff=OK, probe="/admin/shop/"),
    "admin/(?P<url>.*)$": staff(NOT_FOUND, probe="/admin/no-such-page/"),
    "admin/shop/user/<id>/password/": staff(DENIED, superuser_answer=OK),
    **admin_model("admin/shop/category/", CATALOG_MANAGERS),
    **admin_model("admin/shop/product/", CATALOG_MANAGERS),
    **admin_model("admin/shop/shippingmethod/", CATALOG_MANAGERS),
    **admin_model("admin/shop/taxrate/", CATALOG_MANAGERS),
    **admin_model("admin/shop/order/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    "admin/shop/order/<int:order_id>/ship/": staff(DENIED, superuser_answer=OK, shop_staff=OK),
    "admin/shop/order/<int:order_id>/refund/": staff(DENIED, superuser_answer=OK, shop_staff=OK),
    **admin_model("admin/shop/stripeevent/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/boxsize/", CATALOG_MANAGERS),
    **admin_model("admin/shop/palettecolour/", CATALOG_MANAGERS),
    **admin_model("admin/shop/volumetier/", CATALOG_MANAGERS),
    **admin_model("admin/shop/classicbox/", CATALOG_MANAGERS),
    **admin_model("admin/shop/organisation/", CATALOG_MANAGERS),
    **admin_model("admin/payroll/account/", PAYROLL_READERS, add=DENIED, delete=DENIED),
    **admin_model("admin/payroll/journalentry/", PAYROLL_READERS, add=DENIED, delete=DENIED),
    **admin_model("admin/payroll/employee/", PAYROLL_READERS),
    **admin_model("admin/payroll/timeentry/", PAYROLL_READERS),
    **admin_model("admin/payroll/minimumwage/", PAYROLL_READERS),
    **admin_model("admin/payroll/auditevent/", PAYROLL_READERS, add=DENIED, delete=DENIED),
    **admin_model("admin/payroll/program/", PROGRAM_MANAGERS),
    **admin_model("admin/payroll/cohort/", PROGRAM_MANAGERS),
    **admin_model("admin/payroll/trainingsession/", PROGRAM_MANAGERS),
    # -- volunteers --
    # Volunteers' own pages: none of the probing roles has a volunteer profile, so the
    # profile-only pages send them to make one; the sample shift is open to everyone.
    "volunteer/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "volunteer/profile/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "volunteer/waiver/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "volunteer/shifts/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "volunteer/shifts/<int:shift_id>/": row(LOGIN, OK, OK, OK, OK, OK, OK, probe="/volunteer/shifts/{shift}/"),
    "volunteer/shifts/<int:shift_id>/sign-up/": everyone(NO_GET, probe="/volunteer/shifts/{shift}/sign-up/"),
    "volunteer/shifts/<int:shift_id>/shift.ics": row(LOGIN, OK, OK, OK, OK, OK, OK, probe="/volunteer/shifts/{shift}/shift.ics"),
    "volunteer/sign-ups/<int:signup_id>/cancel/": everyone(NO_GET, probe="/volunteer/sign-ups/{signup}/cancel/"),
    "volunteer/hours.pdf": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "volunteer/calendar/<str:token>.ics": everyone(OK, probe="/volunteer/calendar/{calendar_token}.ics"),  # the secret link is the key
    "volunteer/calendar/new-link/": everyone(NO_GET),
    # Coordinators' pages: volunteer coordinators only.
    "staff/volunteers/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/shifts/new/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/shifts/<int:shift_id>/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                   probe="/staff/volunteers/shifts/{shift}/"),
    "staff/volunteers/shifts/<int:shift_id>/edit/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                        probe="/staff/volunteers/shifts/{shift}/edit/"),
    "staff/volunteers/shifts/<int:shift_id>/copy/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                        probe="/staff/volunteers/shifts/{shift}/copy/"),
    "staff/volunteers/shifts/<int:shift_id>/kiosk/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                         probe="/staff/volunteers/shifts/{shift}/kiosk/"),
    "staff/volunteers/shifts/<int:shift_id>/cancel/": everyone(NO_GET, probe="/staff/volunteers/shifts/{shift}/cancel/"),
    "staff/volunteers/shifts/<int:shift_id>/message/": everyone(NO_GET, probe="/staff/volunteers/shifts/{shift}/message/"),
    "staff/volunteers/sign-ups/<int:signup_id>/<slug:action>/": everyone(
        NO_GET, probe="/staff/volunteers/sign-ups/{signup}/check-in/"),
    "staff/volunteers/reports/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/hours.csv": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    **admin_model("admin/payroll/skill/", VOLUNTEER_MANAGERS),
    **admin_model("admin/payroll/waiverversion/", VOLUNTEER_MANAGERS),
    **admin_model("admin/payroll/volunteer/", VOLUNTEER_MANAGERS),
    **admin_model("admin/payroll/shift/", VOLUNTEER_MANAGERS, add=DENIED, delete=DENIED),  # made on the coordinators' pages
    # -- end volunteers --
    # -- giving --
    # Donating is public; the signed link is the key to a gift's pay, thanks and card pages.
    "donate/": everyone(OK),
    "donate/pay/<str:token>/": everyone(OK, probe="/donate/pay/{donation_token}/"),  # the sample gift is waiting for payment
    "donate/pay/<str:token>/setup/": everyone(NO_GET, probe="/donate/pay/{donation_token}/setup/"),
    "donate/pay/<str:token>/confirm/": everyone(NO_GET, probe="/donate/pay/{donation_token}/confirm/"),
    "donate/thanks/<str:token>/": everyone(OK, probe="/donate/thanks/{paid_token}/"),
    # The donor's own pages: the sample receipt and monthly gift belong to a donor none of these roles is.
    "giving/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "giving/receipts/<str:number>.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                            probe="/giving/receipts/{receipt_number}.pdf"),
    "giving/monthly/<str:number>/<slug:action>/": row(LOGIN, NO_GET, NO_GET, NO_GET, NO_GET, NO_GET, NO_GET,
                                                      probe="/giving/monthly/{monthly_number}/pause/"),
    "giving/card/<str:token>/": everyone(OK, probe="/giving/card/{monthly_token}/"),
    "giving/card/<str:token>/setup/": everyone(NO_GET, probe="/giving/card/{monthly_token}/setup/"),
    "giving/card/<str:token>/confirm/": everyone(NO_GET, probe="/giving/card/{monthly_token}/confirm/"),
    # Shop staff: the giving report, gifts, receipts and year-end statements.
    "staff/giving/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "staff/giving/gifts.csv": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "staff/giving/gifts/<str:number>/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK,
                                            probe="/staff/giving/gifts/{gift_number}/"),
    "staff/giving/gifts/<str:number>/<slug:action>/": row(LOGIN, DENIED, NO_GET, DENIED, DENIED, DENIED, NO_GET,
                                                          probe="/staff/giving/gifts/{gift_number}/refund/"),
    "staff/giving/receipts/<str:number>.pdf": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK,
                                                  probe="/staff/giving/receipts/{receipt_number}.pdf"),
    "staff/giving/statements/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "staff/giving/statements/<int:run_id>/progress/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK,
                                                          probe="/staff/giving/statements/{statement_run}/progress/"),
    # -- end giving --
    **admin_model("admin/shop/user/", ()),
    **admin_model("admin/auth/group/", ()),
    **admin_model("admin/account/emailaddress/", ()),
}


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.fixture
def objects(db):
    variant = VariantFactory(product__slug="market-tote", product__category__slug="bags")
    image = ProductImage.objects.create(product=variant.product, image=ContentFile(b"png", name="t.png"), alt_text="t")
    line = CartLine.objects.create(cart=Cart.objects.create(), variant=variant, quantity=1)
    people = {r: UserFactory(roles=[STAFF_GROUPS[r]] if r in STAFF_GROUPS else []) for r in ROLES[1:]}
    people["superuser"].is_superuser = people["superuser"].is_staff = True
    people["superuser"].save()
    from allauth.account.models import EmailAddress
    from django.contrib.contenttypes.models import ContentType

    email = EmailAddress.objects.create(user=people["customer"], email=people["customer"].email)
    order = OrderFactory(user=people["customer"], state=Order.State.PAID)
    event = StripeEvent.objects.create(stripe_id="evt_sample", type="charge.succeeded", payload={})
    entry, _ = entry_post(
        key="sample", on=order.created_at.date(), memo="sample", source_type="order_line", source_id=None,
        legs=[Leg("shop_revenue_clearing", Decimal("1.00")), Leg("wage_fund", Decimal("-1.00"))],
    )
    employee = EmployeeFactory()
    time_entry = TimeEntry.objects.create(employee=employee, date=employee.hire_date, hours=Decimal("8"))
    paid_run = PayRunFactory(status="approved")
    stub = PayStubFactory(pay_run=paid_run, employee=employee)
    audit_event = AuditEvent.objects.create(action="sample")
    Consent.objects.create(employee=employee, kind=Consent.Kind.TRANSCRIPT, granted=True)
    program = Program.objects.create(name="Sample program")
    cohort = Cohort.objects.create(program=program, name="Spring", start_date=employee.hire_date)
    training_session = TrainingSession.objects.create(program=program, date=employee.hire_date, start_time="09:00",
                                                      end_time="10:00", topic="Sample")
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=Decimal("12.00"))
    gift_ids = {
        "shop/boxsize/": size.pk,
        "shop/palettecolour/": PaletteColour.objects.create(name="Rose", hex="#c9828d").pk,
        "shop/volumetier/": VolumeTier.objects.create(min_quantity=25, discount_percent=Decimal("5")).pk,
        "shop/classicbox/": ClassicBox.objects.create(name="Thank you", slug="thank-you", size=size).pk,
        "shop/organisation/": Organisation.objects.create(name="Acme", slug="acme").pk,
    }
    design = GiftDesign.objects.create(organisation_id=gift_ids["shop/organisation/"], name="Sample", size=size,
                                       logo="logos/sample.png")
    gift_order = GiftOrder.objects.create(
        organisation=design.organisation, design=design, design_name="Sample", size_name="Medium", quantity=25,
        shipping_mode="bulk", in_hand_date=employee.hire_date, box_price=Decimal("12.00"), discount=Decimal("0"),
        boxes_subtotal=Decimal("300.00"), shipping=Decimal("77.50"), tax=Decimal("0"), total=Decimal("377.50"),
        assembly_wage=Decimal("4.00"), payment="invoice",
    )
    proof = Proof.objects.create(order=gift_order, file=ContentFile(b"proof", name="proof.png"))
    recipient_list = recipient_list_for(design.organisation)
    owner = OrganisationMember.objects.create(organisation=design.organisation, user=UserFactory(), role="admin")
    invitation = OrganisationInvitation.objects.create(organisation=design.organisation, email="new@acme.example")
    volunteer_objects = _volunteer_objects()
    ids = {
        **gift_ids,
        **volunteer_objects["ids"],
        "payroll/employee/": employee.pk, "payroll/timeentry/": time_entry.pk,
        "payroll/minimumwage/": MinimumWage.objects.first().pk, "payroll/auditevent/": audit_event.pk,
        "payroll/program/": program.pk, "payroll/cohort/": cohort.pk, "payroll/trainingsession/": training_session.pk,
        "payroll/account/": Account.objects.get(code="wage_fund").pk, "payroll/journalentry/": entry.pk,
        "shop/order/": order.pk, "shop/stripeevent/": event.pk,
        "shop/category/": variant.product.category.pk, "shop/product/": variant.product.pk,
        "shop/shippingmethod/": _shipping().pk, "shop/taxrate/": _tax().pk, "shop/user/": people["customer"].pk,
        "auth/group/": Group.objects.first().pk, "account/emailaddress/": email.pk,
    }
    return {
        "people": people, "ids": ids, "slug": {"shop/category/": "bags", "shop/product/": "market-tote"},
        "format": {"gift_order": gift_order.number, "image": image.image.name, "product": variant.product.pk,
                   "proof": proof.pk, "recipient_list": recipient_list.pk, "member": owner.pk,
                   "invitation": invitation.pk, "invitation_token": invitation.token,
                   "pledge_badge": Pledge.objects.create(kind="business", name="Sam", email="sam@biz.example",
                                                         business_name="Biz").badge,
                   "product_ct": ContentType.objects.get_for_model(variant.product).pk, **volunteer_objects["format"],
                   **_giving_objects()},
        "line_id": line.pk, "token": order_token(order), "number": order.number, "order_id": order.pk,
        "design_id": design.pk,
        "run_id": PayRunFactory().pk, "stub_id": stub.pk, "action": "calculate", "year": 2026,
    }


def _volunteer_objects():
    """-- volunteers --: an open shift with a role, a volunteer (not a probing role) signed up."""
    from tests.volunteers.factories import VolunteerFactory, make_shift, publish_waiver

    from payroll.models import Skill
    from payroll.services.volunteers import signup_create, waiver_accept

    waiver = publish_waiver()
    volunteer = VolunteerFactory()
    waiver_accept(volunteer, version_id=waiver.pk, signed_name=volunteer.full_name, ip=None)
    shift = make_shift()
    signup = signup_create(volunteer.pk, shift.roles.get().pk)
    return {
        "ids": {"payroll/skill/": Skill.objects.create(name="First aid").pk, "payroll/waiverversion/": waiver.pk,
                "payroll/volunteer/": volunteer.pk, "payroll/shift/": shift.pk},
        "format": {"shift": shift.pk, "signup": signup.pk, "calendar_token": volunteer.calendar_token},
    }


def _giving_objects():
    """-- giving --: a gift waiting for payment, a paid one with its receipt, a monthly gift, a statement run."""
    from tests.giving.factories import make_paid_donation, make_pending_donation, make_recurring

    from shop.models import StatementRun
    from shop.services.donations import gift_token

    pending, paid, monthly = make_pending_donation(), make_paid_donation(), make_recurring()
    return {"donation_token": gift_token(pending), "paid_token": gift_token(paid), "gift_number": paid.number,
            "receipt_number": paid.receipts.get().number, "monthly_token": gift_token(monthly),
            "monthly_number": monthly.number, "statement_run": StatementRun.objects.create(year=2025).pk}


def _shipping():
    from tests.factories import ShippingMethodFactory

    return ShippingMethodFactory()


def _tax():
    from tests.factories import TaxRateFactory

    return TaxRateFactory()


def concrete_path(route, probe, objects):
    if probe:
        return probe.format(**objects["format"])
    path = "/" + route

    def value(match):
        name = match.group(2)
        if name == "slug":
            return next(v for k, v in objects["slug"].items() if route.startswith(k))
        if name in ("line_id", "token", "number", "order_id", "run_id", "stub_id", "action", "year", "design_id"):
            return str(objects[name])
        if name == "employee_id":
            return str(objects["ids"]["payroll/employee/"])
        if name == "entry_id":
            return str(objects["ids"]["payroll/journalentry/"])
        if name in ("object_id", "id"):
            return str(next(v for k, v in objects["ids"].items() if k in route))
        raise AssertionError(f"no sample value for <{name}> in {route}")

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, path)


def answer(response):
    if response.status_code in (301, 302):
        target = response["Location"]
        return LOGIN if ("/accounts/login/" in target or "/admin/login/" in target) else REDIRECT
    return {200: OK, 403: DENIED, 404: NOT_FOUND, 405: NO_GET}.get(response.status_code, str(response.status_code))


def test_every_url_pattern_has_a_row():
    routes = list(url_patterns())
    missing = [r for r in routes if r not in ACCESS]
    stale = [r for r in ACCESS if r not in routes]
    assert not missing, f"URL patterns with no row in the access table: {missing}"
    assert not stale, f"Rows for URL patterns that no longer exist: {stale}"


@pytest.mark.django_db
def test_access_table(client, objects):
    wrong = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(objects["people"][role])
        for route, (expected, probe) in ACCESS.items():
            path = concrete_path(route, probe, objects)
            got = answer(client.get(path))
            if got != expected[role]:
                wrong.append(f"{role:<22} GET {path}: expected {expected[role]}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_table_catches_an_unlisted_url(monkeypatch):
    """The harness itself: a URL nobody decided on makes the coverage check fail."""
    from django.urls import path

    from config import urls

    monkeypatch.setattr(urls, "urlpatterns", urls.urlpatterns + [path("secret-report/", lambda r: None)])
    clear_url_caches()
    try:
        with pytest.raises(AssertionError, match="secret-report/"):
            test_every_url_pattern_has_a_row()
    finally:
        monkeypatch.undo()
        clear_url_caches()
