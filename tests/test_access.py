"""The access table: every URL pattern of the project, every role, the expected answer.

A URL pattern missing from ``ACCESS`` fails the test, so each new URL arrives with its
row; a row that leaves a role undecided fails too. Object URLs are resolved with real
objects, each owned by one role: the customer's order, organisation A's design, order,
proof, recipient list, members and invitation (corporate_a is its administrator;
corporate_b administers organisation B), the donor's receipt, monthly gift and circle,
the volunteer's sign-up, the employee's pay stub. The other roles probe them across
owners; ``tests/test_idor.py`` also probes each owned object's twin. The answers:

OK 200 · LOGIN a redirect to a login page · REDIRECT another redirect · DENIED 403 ·
NOT_FOUND 404 · NO_GET 405 (the URL takes POST only).

The fourteen roles: anonymous, customer, customer_b, corporate_a, corporate_b, donor,
volunteer, employee (survivor self-service), employee_b, shop_staff, payroll_staff,
program_staff, volunteer_coordinator, superuser (tests/support/access_harness.py).
"""
import re
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, clear_url_caches, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

from payroll.models import Account, AuditEvent, Cohort, Consent, GoalDomain, MinimumWage, Program, TimeEntry, TrainingSession
from payroll.services.ledger import Leg, entry_post
from shop.models import (
    Address,
    BoxSize,
    Cart,
    CartLine,
    ClassicBox,
    CountySurtax,
    DiscountCode,
    GiftCard,
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
from tests.support.factories import (
    OrderFactory, UserFactory, VariantFactory, add_recovery_codes, add_totp,
    recipient_list_for,
)
from tests.payroll.factories import EmployeeFactory, PayRunFactory, PayStubFactory

# The table's vocabulary and machinery live in tests/support/access_harness.py: ``row()`` takes the
# seven required columns positionally (anonymous, customer, shop staff, payroll staff, program
# staff, volunteer coordinator, superuser); the other logged-in roles (customer_b, corporate_a,
# corporate_b, donor, volunteer, employee, employee_b) answer as the customer does unless a row
# names them: ``row(LOGIN, NOT_FOUND, ..., corporate_a=OK)``.
from tests.support.access_harness import (  # noqa: F401  (the names rows are written with)
    COLUMNS,
    DENIED,
    LOGIN,
    NO_GET,
    NON_STAFF,
    NOT_FOUND,
    OK,
    REDIRECT,
    ROLES,
    SESSION_ENGINE,
    STAFF_GROUPS,
    USER_ROLES,
    admin_model,
    answer,
    check_coverage,
    check_rows,
    everyone,
    get_writes,
    refusals_unlogged,
    row,
    staff,
    url_patterns,
    users,
    walk,
)
from tests.support.access_harness import clients as logged_in_clients

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
    "shop/product/<slug:slug>/notify/": everyone(NO_GET),
    # A signed-in customer's address book (each sees only their own; POSTs only for the changes).
    "account/addresses/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "account/addresses/<int:address_id>/default/": everyone(NO_GET, probe="/account/addresses/{address}/default/"),
    "account/addresses/<int:address_id>/remove/": everyone(NO_GET, probe="/account/addresses/{address}/remove/"),
    "cart/": everyone(OK),
    "cart/estimate/": everyone(NO_GET),
    "cart/lines/<int:line_id>/": everyone(NO_GET),
    "cart/lines/<int:line_id>/remove/": everyone(NO_GET),
    "weather/": everyone(OK),
    # The pledge: public. The thank-you page sends anyone who has not just pledged back to the form.
    "pledge/": everyone(OK),
    "pledge/thanks/": everyone(REDIRECT),
    "pledge/badge/<str:badge>/": everyone(OK, probe="/pledge/badge/{pledge_badge}/"),
    "pledge/badge/<str:badge>.svg": everyone(OK, probe="/pledge/badge/{pledge_badge}.svg"),
    # Gift boxes: the sample design, order, proof, recipient list, members and invitation are
    # organisation A's: its member corporate_a reaches them, corporate_b (a member of B) does not.
    "gifts/": everyone(OK),  # members: their organisation's page; everyone else: the public catalogue
    "gifts/boxes/": everyone(OK),  # the public catalogue and instant quote
    # "Start an order" opens an account and an organisation; a member already has one (sent to /gifts/).
    "gifts/start/": row(OK, OK, OK, OK, OK, OK, OK, corporate_a=REDIRECT, corporate_b=REDIRECT),
    "gifts/designs/<int:design_id>/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                          corporate_a=OK),
    "gifts/designs/<int:design_id>/items/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/details/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/logo/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/logo/file/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                    corporate_a=OK),
    "gifts/designs/<int:design_id>/duplicate/": everyone(NO_GET),
    "gifts/designs/<int:design_id>/order/": everyone(NO_GET),
    # Gifts sent by claim link: the member's order form and claims page; the recipient's page
    # is public (the secret link is the key).
    "gifts/designs/<int:design_id>/claim-links/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                      NOT_FOUND, corporate_a=OK),
    "gifts/orders/<str:number>/claims/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                             probe="/gifts/orders/{gift_order}/claims/", corporate_a=OK),
    "gifts/orders/<str:number>/claims/links.csv": everyone(NO_GET, probe="/gifts/orders/{gift_order}/claims/links.csv"),
    "gifts/claim/<str:token>/": everyone(OK, probe="/gifts/claim/{claim_token}/"),
    "gifts/orders/<str:number>/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                      probe="/gifts/orders/{gift_order}/", corporate_a=OK),
    "gifts/orders/<str:number>/decision/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/decision/"),
    "gifts/orders/<str:number>/review/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/review/"),
    "gifts/orders/<str:number>/pay/setup/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/pay/setup/"),
    "gifts/orders/<str:number>/pay/confirm/": everyone(NO_GET, probe="/gifts/orders/{gift_order}/pay/confirm/"),
    "staff/gifts/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "gifts/orders/<str:number>/invoice.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                 probe="/gifts/orders/{gift_order}/invoice.pdf", corporate_a=OK),
    "staff/gifts/invoices/<int:invoice_id>/paid/": everyone(NO_GET, probe="/staff/gifts/invoices/1/paid/"),
    # an invoice's pay-by-card page: the signed link printed on the invoice is the key (no account)
    "gifts/invoices/<str:token>/pay/": everyone(OK, probe="/gifts/invoices/{invoice_token}/pay/"),
    "gifts/invoices/<str:token>/pay/setup/": everyone(NO_GET, probe="/gifts/invoices/{invoice_token}/pay/setup/"),
    "gifts/invoices/<str:token>/pay/confirm/": everyone(NO_GET, probe="/gifts/invoices/{invoice_token}/pay/confirm/"),
    "staff/gifts/orders/<str:number>/proof/": everyone(NO_GET, probe="/staff/gifts/orders/{gift_order}/proof/"),
    "gifts/designs/<int:design_id>/quote.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                   probe="/gifts/designs/{design_id}/quote.pdf?quantity=25&shipping=bulk",
                                                   corporate_a=OK),
    "gifts/orders/<str:number>/proofs/<int:proof_id>/": row(LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,
                                                            probe="/gifts/orders/{gift_order}/proofs/{proof}/",
                                                            corporate_a=OK),
    "gifts/orders/<str:number>/impact.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                probe="/gifts/orders/{gift_order}/impact.pdf", corporate_a=OK),
    # Members of any organisation see their own organisations' lists.
    "gifts/recipients/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                             corporate_a=OK, corporate_b=OK),
    "gifts/recipients/template.csv": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "gifts/recipients/<int:list_id>/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                           probe="/gifts/recipients/{recipient_list}/", corporate_a=OK),
    "gifts/recipients/<int:list_id>/columns/": everyone(NO_GET, probe="/gifts/recipients/{recipient_list}/columns/"),
    "gifts/recipients/<int:list_id>/progress/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                    probe="/gifts/recipients/{recipient_list}/progress/", corporate_a=OK),
    "gifts/organisations/<slug:slug>/members/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                    probe="/gifts/organisations/{organisation}/members/", corporate_a=OK),
    "gifts/organisations/<slug:slug>/members/<int:member_id>/budget/": everyone(
        NO_GET, probe="/gifts/organisations/{organisation}/members/{member}/budget/"),
    "gifts/organisations/<slug:slug>/members/<int:member_id>/remove/": everyone(
        NO_GET, probe="/gifts/organisations/{organisation}/members/{member}/remove/"),
    "gifts/organisations/<slug:slug>/invitations/<int:invitation_id>/withdraw/": everyone(
        NO_GET, probe="/gifts/organisations/{organisation}/invitations/{invitation}/withdraw/"),
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
    "orders/<str:number>/": row(LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                **users(NOT_FOUND)),  # the customer's own: nobody else's
    "order-link/<str:token>/": everyone(OK),  # the signed link is the key
    "order-link/<str:token>/status/": everyone(OK),
    "stripe/webhook/": everyone(NO_GET),
    # Payroll staff pages.
    # The staff home: every staff role (each sees its own to-dos); customers and the rest are refused.
    "staff/": row(LOGIN, DENIED, OK, OK, OK, OK, OK),
    "staff/wage-fund/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/wage-fund/entries/<int:entry_id>/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/progress/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/nacha/": row(LOGIN, DENIED, DENIED, REDIRECT, DENIED, DENIED, REDIRECT),  # a draft has no file
    "staff/payroll/runs/<int:run_id>/checks/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/amounts/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/runs/<int:run_id>/<slug:action>/": everyone(NO_GET),
    "staff/payroll/employees/new/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/requests/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/requests/<int:request_id>/<slug:action>/": everyone(NO_GET, probe="/staff/payroll/requests/1/approve/"),
    # The one-time, audited reveal of a full SSN or account number: a POST of payroll staff only.
    "staff/payroll/employees/<int:employee_id>/reveal/": everyone(NO_GET),
    "staff/payroll/time/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/time/approve/": everyone(NO_GET),
    "staff/payroll/time/import/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/reports/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/w2/<int:year>.csv": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/filings/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/filings/<int:year>/q<int:quarter>/941.csv": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK,
                                                                   probe="/staff/payroll/filings/2026/q1/941.csv"),
    "staff/payroll/filings/<int:year>/q<int:quarter>/941.pdf": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK,
                                                                   probe="/staff/payroll/filings/2026/q1/941.pdf"),
    "staff/payroll/filings/<int:year>/q<int:quarter>/rt6.csv": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK,
                                                                   probe="/staff/payroll/filings/2026/q1/rt6.csv"),
    "staff/payroll/filings/<int:year>/q<int:quarter>/rt6.pdf": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK,
                                                                   probe="/staff/payroll/filings/2026/q1/rt6.pdf"),
    # Form 940: the sample settings row (from Jan 1, 2026) is not a 501(c)(3), so it files one.
    "staff/payroll/filings/<int:year>/940.csv": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK,
                                                    probe="/staff/payroll/filings/2026/940.csv"),
    "staff/payroll/filings/<int:year>/940.pdf": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK,
                                                    probe="/staff/payroll/filings/2026/940.pdf"),
    "staff/payroll/filings/deposits/paid/": everyone(NO_GET),
    # W-2s, W-3 and W-2c PDFs: the sample paid run is in 2026; nothing was issued, so no W-2c (404).
    "staff/payroll/w2/<int:year>.pdf": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/w2/<int:year>/w2c.pdf": row(LOGIN, DENIED, DENIED, NOT_FOUND, DENIED, DENIED, NOT_FOUND),
    "staff/payroll/w2/<int:year>/issue/": row(LOGIN, DENIED, DENIED, NO_GET, DENIED, DENIED, NO_GET),
    "staff/payroll/new-hires/": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    "staff/payroll/new-hires.csv": row(LOGIN, DENIED, DENIED, OK, DENIED, DENIED, OK),
    # Training records: program staff only (payroll staff see training hours as time entries).
    "staff/training/participants/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/<slug:action>/": row(LOGIN, DENIED, DENIED, DENIED, NO_GET, DENIED, NO_GET),
    # The sample participant consented to sharing the transcript with the sample partner (without
    # it, or without ?to= naming that partner: 403 for everyone).
    "staff/training/participants/<int:employee_id>/transcript.pdf": row(
        LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK, probe="/staff/training/participants/{employee}/transcript.pdf?to={partner}"),
    # -- consent (issue 24): consents, referrals and partners are program staff's --
    "staff/training/participants/<int:employee_id>/consents/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/referrals/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/consents/<int:consent_id>/revoke/": row(LOGIN, DENIED, DENIED, DENIED, NO_GET, DENIED, NO_GET,
                                                            probe="/staff/training/consents/{consent}/revoke/"),
    "staff/training/referrals/<int:referral_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK,
                                                       probe="/staff/training/referrals/{referral}/"),
    "staff/training/partners/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/partners/<int:partner_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK,
                                                     probe="/staff/training/partners/{partner}/"),
    # -- end consent --
    "staff/training/participants/<int:employee_id>/export.json": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/participants/<int:employee_id>/export.pdf": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/programs/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/programs/<int:program_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK,
                                                     probe="/staff/training/programs/{program}/"),
    "staff/training/programs/<int:program_id>/sessions/": row(LOGIN, DENIED, DENIED, DENIED, NO_GET, DENIED, NO_GET,
                                                              probe="/staff/training/programs/{program}/sessions/"),
    "staff/training/cohorts/<int:cohort_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK,
                                                   probe="/staff/training/cohorts/{cohort}/"),
    "staff/training/sessions/<int:session_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK,
                                                     probe="/staff/training/sessions/{training_session}/"),
    "staff/training/sessions/<int:session_id>/approve/": row(LOGIN, DENIED, DENIED, DENIED, NO_GET, DENIED, NO_GET,
                                                             probe="/staff/training/sessions/{training_session}/approve/"),
    # -- casework (issue 24): service plans and case notes, program staff only. The sample note is
    # the program team's, written by the program staff role (tests/payroll/training/test_case_notes.py
    # reads a restricted one as every role).
    "staff/training/casework/<int:employee_id>/plan/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/casework/<int:employee_id>/plan/<slug:action>/": row(
        LOGIN, DENIED, DENIED, DENIED, NO_GET, DENIED, NO_GET, probe="/staff/training/casework/{casework_employee}/plan/goal/"),
    "staff/training/casework/<int:employee_id>/notes/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/casework/notes/<int:note_id>/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK,
                                                        probe="/staff/training/casework/notes/{case_note}/"),
    **admin_model("admin/payroll/goaldomain/", PROGRAM_MANAGERS),
    # -- end casework --
    "staff/training/dashboard/": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    "staff/training/dashboard.csv": row(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, OK),
    # Survivor self-service: an employee's own pay page and stubs; hours for those allowed to
    # enter them (employee_b's are entered by staff). The sample stub is employee's: payroll
    # staff see it too (audited), employee_b does not.
    "me/requests/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, employee=OK, employee_b=OK),
    "me/time/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, employee=OK),
    "me/pay/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, employee=OK, employee_b=OK),
    "me/pay/stubs/<int:stub_id>/pdf/": row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK, employee=OK),
    # Only the login's own W-2 (no id in the URL to swap): both sample employees were paid in 2026.
    "me/pay/w2/<int:year>.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                    employee=OK, employee_b=OK),
    "healthz": everyone(OK),
    "^media/(?P<path>.*)$": everyone(OK, probe="/media/{image}"),
    # Accounts (django-allauth).
    "accounts/login/": row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/signup/": row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/logout/": row(REDIRECT, OK, OK, OK, OK, OK, OK),
    "accounts/inactive/": everyone(OK),
    "accounts/reauthenticate/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    # Reauthenticating by an e-mailed code (allauth 65.22+) is switched off
    # (ACCOUNT_REAUTHENTICATION_METHODS): both pages refuse everyone signed in, and the password
    # (or authenticator app) is the way back in (tests/shop/platform/test_mfa.py checks that no code is sent).
    "accounts/reauthenticate/code/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
    "accounts/reauthenticate/code/confirm/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
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
    "admin/^(?P<app_label>shop|auth|account|mfa|payroll)/$": staff(NOT_FOUND, superuser_answer=OK, shop_staff=OK, probe="/admin/shop/"),
    "admin/(?P<url>.*)$": staff(NOT_FOUND, probe="/admin/no-such-page/"),
    "admin/shop/user/<id>/password/": staff(DENIED, superuser_answer=OK),
    **admin_model("admin/shop/category/", CATALOG_MANAGERS),
    **admin_model("admin/shop/product/", CATALOG_MANAGERS),
    **admin_model("admin/shop/shippingmethod/", CATALOG_MANAGERS),
    **admin_model("admin/shop/taxrate/", CATALOG_MANAGERS),
    **admin_model("admin/shop/countysurtax/", CATALOG_MANAGERS),
    **admin_model("admin/shop/discountcode/", CATALOG_MANAGERS),
    **admin_model("admin/shop/order/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    "admin/shop/order/<int:order_id>/ship/": staff(DENIED, superuser_answer=OK, shop_staff=OK),
    "admin/shop/order/<int:order_id>/refund/": staff(DENIED, superuser_answer=OK, shop_staff=OK),
    **admin_model("admin/shop/stripeevent/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    # Gift cards and their ledger: written only by the services, read by shop staff.
    **admin_model("admin/shop/giftcard/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/giftcardentry/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/boxsize/", CATALOG_MANAGERS),
    **admin_model("admin/shop/palettecolour/", CATALOG_MANAGERS),
    **admin_model("admin/shop/volumetier/", CATALOG_MANAGERS),
    **admin_model("admin/shop/classicbox/", CATALOG_MANAGERS),
    **admin_model("admin/shop/organisation/", CATALOG_MANAGERS),
    # Gifts by claim link and account credit: shop staff read them; only the services write them.
    **admin_model("admin/shop/claimcampaign/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/giftclaim/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/organisationcredit/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/payroll/account/", PAYROLL_READERS, add=DENIED, delete=DENIED),
    **admin_model("admin/payroll/journalentry/", PAYROLL_READERS, add=DENIED, delete=DENIED),
    **admin_model("admin/payroll/employee/", PAYROLL_READERS, delete=DENIED),  # pay history points at the record
    **admin_model("admin/payroll/timeentry/", PAYROLL_READERS),
    **admin_model("admin/payroll/minimumwage/", PAYROLL_READERS, delete=DENIED),  # past pay was checked against it
    # Filings: settings are added (never changed or deleted), deposits recorded on the filings page.
    **admin_model("admin/payroll/payrollsetting/", (), delete=DENIED),
    **admin_model("admin/payroll/taxdeposit/", (), add=DENIED, delete=DENIED),
    # -- audit trail -- (moved to shop: superusers read it; nobody adds, changes or deletes)
    "staff/audit/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, OK),
    **admin_model("admin/shop/auditevent/", (), add=DENIED, delete=DENIED),
    # -- end audit trail --
    **admin_model("admin/payroll/program/", PROGRAM_MANAGERS),
    **admin_model("admin/payroll/cohort/", PROGRAM_MANAGERS),
    **admin_model("admin/payroll/trainingsession/", PROGRAM_MANAGERS),
    # -- volunteers --
    # Volunteers' own pages: only the volunteer role has a volunteer profile; the others are sent
    # to make one. The sample shift is open to everyone; the sample sign-up is the volunteer's.
    "volunteer/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, volunteer=OK),
    "volunteer/profile/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "volunteer/waiver/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, volunteer=OK),
    "volunteer/shifts/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "volunteer/shifts/<int:shift_id>/": row(LOGIN, OK, OK, OK, OK, OK, OK, probe="/volunteer/shifts/{shift}/"),
    "volunteer/shifts/<int:shift_id>/sign-up/": everyone(NO_GET, probe="/volunteer/shifts/{shift}/sign-up/"),
    "volunteer/shifts/<int:shift_id>/shift.ics": row(LOGIN, OK, OK, OK, OK, OK, OK, probe="/volunteer/shifts/{shift}/shift.ics"),
    # GET is the confirmation page (the cancel itself is the POST from it).
    "volunteer/sign-ups/<int:signup_id>/cancel/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                      volunteer=OK, probe="/volunteer/sign-ups/{signup}/cancel/"),
    # The check-in pass (QR code) of the volunteer's own confirmed sign-up.
    "volunteer/sign-ups/<int:signup_id>/pass/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                                    volunteer=OK, probe="/volunteer/sign-ups/{signup}/pass/"),
    # The leader adds a named member to their own sign-up (POST only).
    "volunteer/sign-ups/<int:signup_id>/members/": everyone(NO_GET, probe="/volunteer/sign-ups/{signup}/members/"),
    "volunteer/hours.pdf": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, volunteer=OK),
    "volunteer/calendar/<str:token>.ics": everyone(OK, probe="/volunteer/calendar/{calendar_token}.ics"),  # the secret link is the key
    "volunteer/calendar/new-link/": everyone(NO_GET),
    # A group member's own waiver link: no account, the secret link is the key (a guessed one is a 404).
    "volunteer/group-waiver/<str:token>/": everyone(OK, probe="/volunteer/group-waiver/{member_token}/"),
    "volunteer/texts/replies/": everyone(NO_GET),
    # Coordinators' pages: volunteer coordinators only.
    "staff/volunteers/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/shifts/new/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/shifts/<int:shift_id>/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                   probe="/staff/volunteers/shifts/{shift}/"),
    "staff/volunteers/shifts/<int:shift_id>/edit/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                        probe="/staff/volunteers/shifts/{shift}/edit/"),
    "staff/volunteers/shifts/<int:shift_id>/copy/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                        probe="/staff/volunteers/shifts/{shift}/copy/"),
    # Opening a kiosk (GET: the PIN form; the POST makes this device the kiosk).
    "staff/volunteers/shifts/<int:shift_id>/kiosk/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                         probe="/staff/volunteers/shifts/{shift}/kiosk/"),
    "staff/volunteers/days/<str:day>/kiosk/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK,
                                                  probe="/staff/volunteers/days/2026-12-06/kiosk/"),
    # The kiosk's own pages answer a kiosk session only (test_a_kiosk_session_reaches_only_the_kiosk).
    "kiosk/": everyone(DENIED),
    "kiosk/check/": everyone(NO_GET),
    "kiosk/sync/": everyone(NO_GET),
    "kiosk/exit/": everyone(DENIED),
    "staff/volunteers/shifts/<int:shift_id>/cancel/": everyone(NO_GET, probe="/staff/volunteers/shifts/{shift}/cancel/"),
    "staff/volunteers/shifts/<int:shift_id>/message/": everyone(NO_GET, probe="/staff/volunteers/shifts/{shift}/message/"),
    "staff/volunteers/sign-ups/<int:signup_id>/<slug:action>/": everyone(
        NO_GET, probe="/staff/volunteers/sign-ups/{signup}/check-in/"),
    "staff/volunteers/members/<int:member_id>/check-in/": everyone(NO_GET, probe="/staff/volunteers/members/{member}/check-in/"),
    "staff/volunteers/reports/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/hours.csv": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
    "staff/volunteers/background-checks/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK),
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
    # The donor's own pages: the sample receipt and monthly gift are the donor role's (matched
    # through its verified e-mail address); nobody else's, staff included (they have their own pages).
    "giving/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "giving/receipts/<str:number>.pdf": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                            probe="/giving/receipts/{receipt_number}.pdf", donor=OK),
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
    # Giving circles: public pages for an open circle; the leaders' page is its leaders' only (the
    # sample circle's leader is the donor role; staff use the report); the report is shop staff's.
    "circles/": everyone(OK),
    "circles/<slug:slug>/": everyone(OK, probe="/circles/{circle_slug}/"),
    "circles/<slug:slug>/join/": everyone(OK, probe="/circles/{circle_slug}/join/"),
    "circles/<slug:slug>/lead/": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                     probe="/circles/{circle_slug}/lead/", donor=OK),
    "staff/giving/circles/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "staff/giving/circles.csv": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    **admin_model("admin/shop/givingcircle/", CATALOG_MANAGERS),
    **admin_model("admin/shop/circleinvitation/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),  # leaders send them
    # Giving in the admin: shop staff look (by role); only a donor's name and address can change there.
    **admin_model("admin/shop/donor/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/donation/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/recurringgift/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/receipt/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/statementrun/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    **admin_model("admin/shop/yearendstatement/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),
    # -- end giving --
    # -- two-factor authentication (django-allauth MFA) --
    # The sample payroll and program staff and the superuser have an authenticator app and
    # recovery codes (UserFactory's default for them); the others have none. Changing any of
    # it asks for the password again first (a REDIRECT to accounts/reauthenticate/).
    "accounts/2fa/": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "accounts/2fa/authenticate/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),  # only halfway through a login
    "accounts/2fa/reauthenticate/": row(LOGIN, REDIRECT, REDIRECT, OK, OK, REDIRECT, OK),  # with an app only
    "accounts/2fa/totp/activate/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/2fa/totp/deactivate/": row(LOGIN, NOT_FOUND, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND, REDIRECT),
    "accounts/2fa/recovery-codes/": row(LOGIN, NOT_FOUND, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND, REDIRECT),
    "accounts/2fa/recovery-codes/generate/": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts/2fa/recovery-codes/download/": row(LOGIN, NOT_FOUND, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND, REDIRECT),
    **admin_model("admin/mfa/authenticator/", ()),  # superusers remove a lost authenticator app
    # -- end two-factor --
    # -- events --
    # Public: upcoming events, an event's page, the hosting request form (its thank-you sends anyone
    # who has not just asked back to the form); buying and sponsoring are POSTs that lead to the pay page.
    "events/": everyone(OK),
    "events/host/": everyone(OK),
    "events/host/thanks/": everyone(REDIRECT),
    "events/<slug:slug>/": everyone(OK, probe="/events/{event_slug}/"),
    "events/<slug:slug>/tickets/": everyone(NO_GET, probe="/events/{event_slug}/tickets/"),
    "events/<slug:slug>/sponsor/": everyone(NO_GET, probe="/events/{event_slug}/sponsor/"),
    # Shop staff: events with sold/capacity and money raised, ticket buyers (CSV), hosting decisions.
    "staff/events/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    "staff/events/requests/<int:request_id>/<slug:action>/": row(LOGIN, DENIED, NO_GET, DENIED, DENIED, DENIED, NO_GET,
                                                                probe="/staff/events/requests/{hosting_request}/accept/"),
    "staff/events/<slug:slug>/": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK, probe="/staff/events/{event_slug}/"),
    "staff/events/<slug:slug>/tickets.csv": row(LOGIN, DENIED, OK, DENIED, DENIED, DENIED, OK,
                                                probe="/staff/events/{event_slug}/tickets.csv"),
    **admin_model("admin/shop/event/", CATALOG_MANAGERS),
    **admin_model("admin/shop/eventticket/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),  # written by the service
    **admin_model("admin/shop/sponsorship/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),  # written by the service
    **admin_model("admin/shop/hostingrequest/", CATALOG_MANAGERS, add=DENIED, delete=DENIED),  # decided on the staff page
    # -- end events --
    # -- data rights --
    # Everyone logged in downloads their own data; the staff page is shop staff's and volunteer
    # coordinators' (each exports their own sections) and superusers'; only superusers erase.
    "account/data/export.json": row(LOGIN, OK, OK, OK, OK, OK, OK),
    "staff/data-rights/": row(LOGIN, DENIED, OK, DENIED, DENIED, OK, OK),
    "staff/data-rights/export/": row(LOGIN, DENIED, NO_GET, DENIED, DENIED, NO_GET, NO_GET),
    "staff/data-rights/erase/": row(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED, NO_GET),
    # -- end data rights --
    **admin_model("admin/shop/user/", ()),
    **admin_model("admin/auth/group/", ()),
    **admin_model("admin/account/emailaddress/", ()),
}


@pytest.fixture
def objects(db):
    return sample_objects()


def sample_objects():
    """Every role's users and the objects the table's URLs name (the ``objects`` fixture)."""
    variant = VariantFactory(product__slug="market-tote", product__category__slug="bags")
    image = ProductImage.objects.create(product=variant.product, image=ContentFile(b"png", name="t.png"), alt_text="t")
    line = CartLine.objects.create(cart=Cart.objects.create(), variant=variant, quantity=1)  # a guest's
    other_line = CartLine.objects.create(cart=Cart.objects.create(), variant=variant, quantity=2)  # another guest's
    people = {r: UserFactory(roles=[STAFF_GROUPS[r]] if r in STAFF_GROUPS else []) for r in ROLES[1:]}
    people["superuser"].is_superuser = people["superuser"].is_staff = True
    people["superuser"].save()
    add_totp(people["superuser"])  # superusers must use two-factor authentication, like payroll staff
    add_recovery_codes(people["superuser"])
    from allauth.account.models import EmailAddress
    from django.contrib.contenttypes.models import ContentType

    email = EmailAddress.objects.create(user=people["customer"], email=people["customer"].email)
    order = OrderFactory(user=people["customer"], state=Order.State.PAID)
    other_order = OrderFactory(user=people["customer_b"], state=Order.State.PAID)
    event = StripeEvent.objects.create(stripe_id="evt_sample", type="charge.succeeded", payload={})
    entry, _ = entry_post(
        key="sample", on=order.created_at.date(), memo="sample", source_type="order_line", source_id=None,
        legs=[Leg("shop_revenue_clearing", Decimal("1.00")), Leg("wage_fund", Decimal("-1.00"))],
    )
    # The employee's own pay page (and hours), and another employee's (whose hours staff enter).
    employee = EmployeeFactory(user=people["employee"], employee_can_enter_time=True)
    time_entry = TimeEntry.objects.create(employee=employee, date=employee.hire_date, hours=Decimal("8"))
    paid_run = PayRunFactory(status="approved")
    stub = PayStubFactory(pay_run=paid_run, employee=employee)
    other_stub = PayStubFactory(pay_run=paid_run, employee=EmployeeFactory(user=people["employee_b"]))
    audit_event = AuditEvent.objects.create(action="sample")
    consent_objects = _consent_objects(employee)
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
    # Organisation A (corporate_a is its administrator) and B (corporate_b): each with a design,
    # an invoiced and paid order with a proof, a recipient list and an open invitation.
    gifts_a = _organisation_objects(Organisation.objects.get(pk=gift_ids["shop/organisation/"]), people["corporate_a"],
                                    size, employee.hire_date)
    gifts_b = _organisation_objects(Organisation.objects.create(name="Bravo", slug="bravo"), people["corporate_b"],
                                    size, employee.hire_date)
    volunteer_objects = _volunteer_objects(people)
    giving_objects = _giving_objects(people)
    circle_objects = _circle_objects(people)
    event_objects = _events_objects()
    ids = {
        **gift_ids,
        **volunteer_objects["ids"],
        **circle_objects["ids"],
        **event_objects["ids"],
        **_giving_admin_ids(),
        "payroll/employee/": employee.pk, "payroll/timeentry/": time_entry.pk,
        "payroll/minimumwage/": MinimumWage.objects.first().pk, "shop/auditevent/": audit_event.pk,
        **_filings_admin_ids(),
        "payroll/program/": program.pk, "payroll/cohort/": cohort.pk, "payroll/trainingsession/": training_session.pk,
        "payroll/goaldomain/": GoalDomain.objects.get_or_create(slug="health", defaults={"name": "Health"})[0].pk,
        "payroll/account/": Account.objects.get(code="wage_fund").pk, "payroll/journalentry/": entry.pk,
        "shop/order/": order.pk, "shop/stripeevent/": event.pk,
        **_gift_card_admin_ids(),
        **_claim_admin_ids(gifts_a["gift_order"]),
        "shop/category/": variant.product.category.pk, "shop/product/": variant.product.pk,
        "shop/shippingmethod/": _shipping().pk, "shop/taxrate/": _tax().pk,
        "shop/countysurtax/": CountySurtax.objects.create(county="Duval", rate=Decimal("0.0150")).pk,
        "shop/discountcode/": DiscountCode.objects.create(code="SAMPLE10", kind="percent", value=Decimal("10")).pk,
        "shop/user/": people["customer"].pk,
        "auth/group/": Group.objects.first().pk, "account/emailaddress/": email.pk,
    }
    ids["mfa/authenticator/"] = Authenticator.objects.filter(user=people["superuser"]).first().pk
    # Every account made by signing up has its address on file; allauth's e-mail page would
    # otherwise add the missing row on its first GET (its repair for users made by hand).
    for person in people.values():
        if person is not None and not EmailAddress.objects.filter(user=person).exists():
            EmailAddress.objects.create(user=person, email=person.email, primary=True)
    # The customer's saved address, and customer_b's (its twin).
    address, other_address = (Address.objects.create(user=people[who], name="Casey", line1="1 Main St", city="Tampa",
                                                     state="FL", postal_code="33602") for who in ("customer", "customer_b"))
    return {
        "people": people, "ids": ids, "slug": {"shop/category/": "bags", "shop/product/": "market-tote"},
        "format": {"image": image.image.name, "product": variant.product.pk, **gifts_a, "address": address.pk,
                   "pledge_badge": Pledge.objects.create(kind="business", name="Sam", email="sam@biz.example",
                                                         business_name="Biz").badge,
                   "product_ct": ContentType.objects.get_for_model(variant.product).pk, **volunteer_objects["format"],
                   **giving_objects["format"], **circle_objects["format"],
                   **event_objects["format"], "program": program.pk, "training_session": training_session.pk,
                   "cohort": cohort.pk, **consent_objects, **_casework_objects(people, employee, program)},
        "line_id": line.pk, "token": order_token(order), "number": order.number, "order_id": order.pk,
        "design_id": gifts_a["design_id"],
        "run_id": PayRunFactory().pk, "stub_id": stub.pk, "action": "calculate", "year": 2026,
        # Who owns each private sample object (probed in the table), and its twin that someone else
        # owns (the IDOR probes): a key names a value of "format" or of the top level, or both.
        "owned": {
            "number": ("customer", "customer_b"),  # a shop order
            "address": ("customer", "customer_b"),  # a saved delivery address
            "line_id": (None, None),  # a line in a guest's cart
            # an organisation's objects (its invitation's secret link is a key anyone may hold)
            **{key: ("corporate_a", "corporate_b") for key in gifts_a
               if key not in ("invitation_token", "invoice_token", "claim_token")},
            "stub_id": ("employee", "employee_b"),
            **volunteer_objects["owned"],
            **giving_objects["owned"],
            **circle_objects["owned"],
        },
        "twins": {"number": other_order.number, "line_id": other_line.pk, **gifts_b, "stub_id": other_stub.pk,
                  "address": other_address.pk,
                  **volunteer_objects["twins"], **giving_objects["twins"], **circle_objects["twins"]},
    }


def _casework_objects(people, employee, program):
    """-- casework --: a program team's case note about the sample employee, by program staff."""
    from payroll.services.casework import case_note_write

    note = case_note_write(employee=employee, program=program, confidentiality="team", body="Sample note.",
                           actor=people["program_staff"])
    return {"case_note": note.pk, "casework_employee": employee.pk}


def _organisation_objects(organisation, admin, size, in_hand_date):
    """One organisation's gift objects, ``admin`` its administrator (the values the probes use)."""
    from django.utils import timezone

    from shop.services.gifts.orders import invoice_issue, invoice_token

    member = OrganisationMember.objects.create(organisation=organisation, user=admin, role="admin")
    design = GiftDesign.objects.create(organisation=organisation, name="Sample", size=size,
                                       logo=ContentFile(b"png", name="logo.png"))
    gift_order = GiftOrder.objects.create(
        organisation=organisation, design=design, design_name="Sample", size_name="Medium", quantity=25,
        shipping_mode="bulk", in_hand_date=in_hand_date, box_price=Decimal("12.00"), discount=Decimal("0"),
        boxes_subtotal=Decimal("300.00"), shipping=Decimal("77.50"), tax=Decimal("0"), total=Decimal("377.50"),
        assembly_wage=Decimal("4.00"), payment="invoice", paid_at=timezone.now(),
    )
    invoice = invoice_issue(gift_order)
    proof = Proof.objects.create(order=gift_order, file=ContentFile(b"proof", name="proof.png"))
    invitation = OrganisationInvitation.objects.create(organisation=organisation, email=f"new@{organisation.slug}.example")
    claim_token = _claim_link(gift_order)
    return {"organisation": organisation.slug, "design_id": design.pk, "gift_order": gift_order.number,
            "claim_token": claim_token,
            "proof": proof.pk, "recipient_list": recipient_list_for(organisation).pk, "member": member.pk,
            "invitation": invitation.pk, "invitation_token": invitation.token,
            "invoice_token": invoice_token(invoice)}


def _consent_objects(employee):
    """-- consent (issue 24) --: a partner, the employee's transcript and referral consents naming
    it (in force today), and a referral under the second."""
    from django.utils import timezone

    from payroll.services.consent import referral_create
    from tests.payroll.consent.factories import grant, partner

    today = timezone.localdate()
    sample = partner("Sample partner")
    consent = grant(employee, Consent.Kind.TRANSCRIPT, sample, valid_from=today)
    grant(employee, Consent.Kind.REFERRAL, sample, valid_from=today)
    referral = referral_create(employee, partner=sample, service="legal", sent_on=today, actor=None)
    return {"employee": employee.pk, "partner": sample.pk, "consent": consent.pk, "referral": referral.pk}


def _claim_link(gift_order):
    """The order's gifts sent by claim link too: one open gift, and the secret of its link."""
    import hashlib
    from datetime import date

    from shop.models import ClaimCampaign, GiftClaim, GiftClaimLink, RecipientList

    claims_list = RecipientList.objects.create(organisation=gift_order.organisation, name="Claims",
                                               status=RecipientList.Status.CLAIMS)
    campaign = ClaimCampaign.objects.create(order=gift_order, recipient_list=claims_list, delivery="links",
                                            sender_name="Acme", expires_on=date(2100, 1, 1), outcome="credit")
    claim = GiftClaim.objects.create(campaign=campaign, number=1, value=gift_order.total)
    token = f"sample-claim-{gift_order.organisation.slug}"
    GiftClaimLink.objects.create(claim=claim, token_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


def _volunteer_objects(people):
    """-- volunteers --: an open shift with a role; the volunteer role and another volunteer signed up."""
    from tests.payroll.volunteers.factories import VolunteerFactory, make_shift, publish_waiver

    from payroll.models import Skill
    from payroll.services.volunteers.signups import signup_create, waiver_accept

    waiver = publish_waiver()
    volunteer = VolunteerFactory()
    waiver_accept(volunteer, version_id=waiver.pk, signed_name=volunteer.full_name, ip=None)
    shift = make_shift()
    signup = signup_create(volunteer.pk, shift.roles.get().pk)
    own = VolunteerFactory(user=people["volunteer"])
    waiver_accept(own, version_id=waiver.pk, signed_name=own.full_name, ip=None)
    own_signup = signup_create(own.pk, shift.roles.get().pk)
    from datetime import date

    from django.utils import timezone

    from payroll.services.volunteers.groups import MemberDetails, members_add

    member, member_token = members_add(own_signup, [MemberDetails("Ana Ortiz", date(1985, 3, 2), "ana@example.org")],
                                       timezone.now())[0]
    return {
        "owned": {"signup": ("volunteer", None)}, "twins": {"signup": signup.pk},
        "ids": {"payroll/skill/": Skill.objects.create(name="First aid").pk, "payroll/waiverversion/": waiver.pk,
                "payroll/volunteer/": volunteer.pk, "payroll/shift/": shift.pk},
        "format": {"shift": shift.pk, "signup": own_signup.pk, "calendar_token": own.calendar_token,
                   "member": member.pk, "member_token": member_token},
    }


def _giving_objects(people):
    """-- giving --: a gift waiting for payment; the donor role's paid gift (with its receipt) and
    monthly gift, found through the donor's verified e-mail address; another donor's; a statement run."""
    from allauth.account.models import EmailAddress
    from tests.shop.giving.factories import make_donor, make_paid_donation, make_pending_donation, make_recurring

    from shop.models import StatementRun
    from shop.services.donations import gift_token

    EmailAddress.objects.create(user=people["donor"], email=people["donor"].email, verified=True, primary=True)
    donor = make_donor(email=people["donor"].email)
    pending, paid, monthly = make_pending_donation(), make_paid_donation(donor), make_recurring(donor)
    other_paid, other_monthly = make_paid_donation(), make_recurring()
    return {
        "format": {"donation_token": gift_token(pending), "paid_token": gift_token(paid), "gift_number": paid.number,
                   "receipt_number": paid.receipts.get().number, "monthly_token": gift_token(monthly),
                   "monthly_number": monthly.number, "statement_run": StatementRun.objects.create(year=2025).pk},
        "owned": {"receipt_number": ("donor", None), "monthly_number": ("donor", None)},
        "twins": {"receipt_number": other_paid.receipts.get().number, "monthly_number": other_monthly.number},
    }


def _giving_admin_ids():
    """-- giving --: one of each giving model for the admin rows."""
    from tests.shop.giving.factories import make_paid_donation, make_recurring

    from shop.models import StatementRun, YearEndStatement

    gift = make_paid_donation()
    return {"shop/donor/": gift.donor.pk, "shop/donation/": gift.pk, "shop/recurringgift/": make_recurring().pk,
            "shop/receipt/": gift.receipts.get().pk, "shop/statementrun/": StatementRun.objects.create(year=2024).pk,
            "shop/yearendstatement/": YearEndStatement.objects.create(donor=gift.donor, year=2024).pk}


def _circle_objects(people):
    """-- giving circles --: an open circle led by the donor role, with an invitation; another
    circle led by someone who is none of the probing roles."""
    from shop.models import CircleInvitation, GivingCircle

    circle = GivingCircle.objects.create(name="Sample circle", slug="sample-circle", yearly_goal=Decimal("1000.00"))
    circle.leaders.add(people["donor"])
    invitation = CircleInvitation.objects.create(circle=circle, email="friend@example.org")
    other = GivingCircle.objects.create(name="Other circle", slug="other-circle", yearly_goal=Decimal("500.00"))
    other.leaders.add(UserFactory())
    return {"ids": {"shop/givingcircle/": circle.pk, "shop/circleinvitation/": invitation.pk},
            "format": {"circle_slug": circle.slug},
            "owned": {"circle_slug": ("donor", None)}, "twins": {"circle_slug": other.slug}}


def _gift_card_admin_ids() -> dict:
    """An issued gift card (its ledger's first row) for the admin's read-only pages."""
    from django.utils import timezone

    from shop.services.giftcards import gift_card_create, gift_card_issue

    card = gift_card_create(Decimal("25.00"), buyer_email="b@example.org", deliver_on=timezone.localdate())
    GiftCard.objects.filter(pk=card.pk).update(emailed_at=timezone.now())
    gift_card_issue(card.pk)
    return {"shop/giftcard/": card.pk, "shop/giftcardentry/": card.entries.get().pk}


def _claim_admin_ids(number: str) -> dict:
    """Organisation A's claim-link campaign and its gift (``_claim_link``), and a credit entry."""
    from shop.models import GiftClaim, OrganisationCredit

    claim = GiftClaim.objects.select_related("campaign__order").get(campaign__order__number=number)
    credit = OrganisationCredit.objects.create(organisation=claim.campaign.order.organisation, amount=Decimal("10.00"),
                                               reason="Sample", key="sample-credit")
    return {"shop/claimcampaign/": claim.campaign_id, "shop/giftclaim/": claim.pk,
            "shop/organisationcredit/": credit.pk}


def _events_objects():
    """-- events --: a published event with a ticket type and a sponsorship tier, a paid ticket
    purchase and a paid sponsorship (by someone who is none of the probing roles), a hosting request."""
    from datetime import timedelta

    from django.utils import timezone

    from shop.models import Event, EventTicket, HostingRequest, Sponsorship
    from tests.shop.giving.factories import make_paid_donation

    starts = timezone.now() + timedelta(days=30)
    event = Event.objects.create(title="Sample gala", slug="sample-gala", starts_at=starts, ends_at=starts + timedelta(hours=3),
                                 venue="The hall", capacity=50, is_published=True)
    ticket_type = event.ticket_types.create(name="Dinner", price=Decimal("100.00"), fair_market_value=Decimal("40.00"))
    tier = event.sponsorship_tiers.create(name="Gold", amount=Decimal("1000.00"), benefits="A table",
                                          fair_market_value=Decimal("200.00"))
    ticket = EventTicket.objects.create(ticket_type=ticket_type, event=event, quantity=1, buyer_name="Tess Ticket",
                                        buyer_email="tess@example.org",
                                        donation=make_paid_donation(amount="100.00", goods_value=Decimal("40.00")))
    sponsorship = Sponsorship.objects.create(tier=tier, event=event, sponsor_name="Acme Bank",
                                             donation=make_paid_donation(amount="1000.00", goods_value=Decimal("200.00")))
    hosting = HostingRequest.objects.create(organisation="Mentors", contact_name="Jo", email="jo@example.org",
                                            date=starts.date(), expected_guests=20, purpose="Training")
    return {"ids": {"shop/event/": event.pk, "shop/eventticket/": ticket.pk, "shop/sponsorship/": sponsorship.pk,
                    "shop/hostingrequest/": hosting.pk},
            "format": {"event_slug": event.slug, "hosting_request": hosting.pk}}


def _shipping():
    from tests.support.factories import ShippingMethodFactory

    return ShippingMethodFactory()


def _tax():
    from tests.support.factories import TaxRateFactory

    return TaxRateFactory()


def concrete_path(route, probe, objects, twin_keys=()):
    """The path probed for a row: its ``probe`` filled in, or the pattern with sample values;
    with ``twin_keys``, those owned objects are swapped for their twins (someone else's)."""
    if twin_keys:
        twins = {key: objects["twins"][key] for key in twin_keys}
        objects = {**objects, **{k: v for k, v in twins.items() if k in objects},
                   "format": {**objects["format"], **{k: v for k, v in twins.items() if k in objects["format"]}}}
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


def _filings_admin_ids():
    from datetime import date as day
    from decimal import Decimal

    from payroll.models import PayrollSetting, TaxDeposit

    setting = PayrollSetting.objects.create(effective_from=day(2026, 1, 1))
    deposit = TaxDeposit.objects.create(liability_start=day(2026, 1, 16), liability_end=day(2026, 1, 16),
                                        due=day(2026, 2, 17), amount=Decimal("10.00"), paid_on=day(2026, 2, 17),
                                        confirmation="270261012345678")
    return {"payroll/payrollsetting/": setting.pk, "payroll/taxdeposit/": deposit.pk}


def test_every_url_pattern_has_a_row():
    check_coverage(ACCESS)


def test_every_row_answers_for_every_role():
    check_rows(ACCESS)


@pytest.mark.django_db
def test_access_table(client, objects, settings):
    """Every row, as every role (one logged-in client each), against the table."""
    settings.SESSION_ENGINE = SESSION_ENGINE
    by_role = logged_in_clients(objects["people"], type(client))
    wrong = walk(ACCESS, by_role, lambda route, probe: concrete_path(route, probe, objects))
    assert not wrong, f"{len(wrong)} answers differ from the access table:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_no_get_writes_to_the_database(client, objects, settings):
    """A GET never writes: every row, as every role, is requested and the INSERT/UPDATE/DELETE
    statements it runs are recorded (then rolled back). Allowed: the session, and audit-trail
    rows of staff reading survivors' records (``GET_WRITES_ALLOWED``)."""
    settings.SESSION_ENGINE = SESSION_ENGINE
    by_role = logged_in_clients(objects["people"], type(client))  # the logins' own writes happen here
    wrong = get_writes(ACCESS, by_role, lambda route, probe: concrete_path(route, probe, objects))
    assert not wrong, f"{len(wrong)} GET requests wrote to the database:\n" + "\n".join(wrong)


# What a kiosk session may reach: the kiosk's pages, and the login (a coordinator's full
# login ends kiosk mode); every other GET is sent back to the kiosk, every other POST is a 403.
KIOSK_ANSWERS = {"kiosk/": OK, "kiosk/exit/": OK, "kiosk/check/": NO_GET, "kiosk/sync/": NO_GET,
                 "accounts/login/": OK, "accounts/2fa/authenticate/": LOGIN}
KIOSK_POSTS = {"kiosk/check/", "kiosk/sync/", "kiosk/exit/", "accounts/login/", "accounts/2fa/authenticate/"}


@pytest.mark.django_db
def test_a_kiosk_session_reaches_only_the_kiosk(client, objects, settings):
    """Every row of the table, as a kiosk session (opened by the coordinator on this device):
    GET answers only the kiosk's pages (the rest redirect to /kiosk/), POST only the kiosk's."""
    from django.test import Client

    settings.SESSION_ENGINE = SESSION_ENGINE
    coordinator = objects["people"]["volunteer_coordinator"]
    device = Client()
    device.force_login(coordinator)
    from django.utils import timezone

    opened = device.post(f"/staff/volunteers/days/{timezone.localdate().isoformat()}/kiosk/", {"pin": "2468", "pin_again": "2468"})
    assert opened.status_code == 302 and opened["Location"] == "/kiosk/"
    wrong = []
    with refusals_unlogged():
        for route, (_, probe) in ACCESS.items():
            path = concrete_path(route, probe, objects)
            response = device.get(path)
            expected = KIOSK_ANSWERS.get(route, REDIRECT)
            got = answer(response)
            if got != expected or (expected == REDIRECT and response["Location"] != "/kiosk/"):
                wrong.append(f"GET {path}: expected {expected}, got {got} {response.get('Location', '')}")
            if route not in KIOSK_POSTS:
                status, refused = device.post(path).status_code, 405 if route == "kiosk/" else 403
                if status != refused:
                    wrong.append(f"POST {path}: expected {refused}, got {status}")
    assert not wrong, f"{len(wrong)} answers to the kiosk session differ:\n" + "\n".join(wrong)
    assert device.get("/kiosk/").status_code == 200  # still a kiosk after the walk


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


def test_the_table_catches_a_row_missing_a_role(monkeypatch):
    """The harness itself: the seven columns of ``row()`` are required (a row without one does
    not build), the other roles derive the customer's answer or are named (a misspelt one does
    not build), and a row made any other way that leaves a role undecided fails the table check."""
    with pytest.raises(TypeError):
        row(LOGIN, OK, OK, OK, OK, OK)  # no superuser column
    with pytest.raises(TypeError, match="corporate_c"):
        row(LOGIN, OK, OK, OK, OK, OK, OK, corporate_c=OK)
    answers, _ = row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, corporate_a=OK)
    assert set(answers) == set(ROLES)
    assert answers["corporate_a"] == OK and answers["corporate_b"] == NOT_FOUND and answers["employee"] == NOT_FOUND

    route = next(iter(ACCESS))
    undecided = dict(ACCESS[route][0])
    del undecided["employee_b"]
    monkeypatch.setitem(ACCESS, route, (undecided, ACCESS[route][1]))
    with pytest.raises(AssertionError, match=r"no answer for \['employee_b'\]"):
        test_every_row_answers_for_every_role()
    monkeypatch.setitem(ACCESS, route, ({**undecided, "employee_b": "MAYBE"}, None))
    with pytest.raises(AssertionError, match="MAYBE"):
        test_every_row_answers_for_every_role()


# -- the URL conf's order -------------------------------------------------------------------

URL_SAMPLES = {"IntConverter": 7, "SlugConverter": "a-slug", "StringConverter": "token1", "PathConverter": "a/b.txt"}


def _named_routes(patterns, namespace=""):
    """(name, sample keyword arguments) of each named ``path()`` (``re_path`` ones have no converters to sample)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _named_routes(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name and isinstance(entry.pattern, RoutePattern):
            converters = entry.pattern.converters
            if all(type(c).__name__ in URL_SAMPLES for c in converters.values()):
                yield namespace + entry.name, {key: URL_SAMPLES[type(c).__name__] for key, c in converters.items()}


def test_every_named_url_resolves_back_to_itself():
    """The URL conf's order (config/urls.py: the shop first, then payroll, the admin, accounts):
    every named URL, reversed with sample arguments, resolves back to itself, so no pattern
    earlier in the list takes another's URLs."""
    routes = list(_named_routes(get_resolver().url_patterns))
    names = {name for name, _ in routes}
    assert {"shop:catalog", "shop:cart", "payroll:staff_home", "admin:index", "account_login", "healthz"} <= names
    checked = 0
    for name, kwargs in routes:
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # a name given to two patterns (the admin's): reverse finds the other
            continue
        assert resolve(url).view_name == name, (name, url, resolve(url).view_name)
        checked += 1
    assert checked > 200
