"""Fixes from a user's-eye review of the giving, events, data-rights, audit and MFA pages.

Each test pins one thing a person using the site would have noticed: a link missing from the
staff menu, the audit filters leaking into the header's product search box, a look-up that
found nothing shown as a table of zeros, a closed circle linked to a page that 404s, a long
"goods or services" line running off the receipt PDF, a pay page offering to charge a card
after the hold ran out.
"""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from shop.platform import roles
from shop.models import Donation, GivingCircle
from shop.services import events as event_service
from shop.services.donations import gift_token
from shop.services.receipts import receipt_pdf
from tests.support.factories import UserFactory
from tests.shop.giving.factories import make_donor, make_paid_donation
from tests.shop.giving.test_events import BUYER, fake_stripe, gala  # noqa: F401 (fake_stripe is a fixture)

pytestmark = pytest.mark.django_db


def staff_menu(html: str) -> str:
    return html[html.index("<summary>Staff</summary>"):html.index("</details>")]


# -- the staff menu -----------------------------------------------------------------------


def test_shop_staff_and_coordinators_find_data_rights_in_the_staff_menu_but_not_the_audit_trail(client):
    for role in (roles.SHOP_STAFF, roles.VOLUNTEER_COORDINATOR):
        client.force_login(UserFactory(roles=[role]))
        menu = staff_menu(client.get(reverse("shop:order_list")).content.decode())
        assert 'href="/staff/data-rights/"' in menu, role
        assert 'href="/staff/audit/"' not in menu, role


def test_payroll_staff_get_neither_link(client):
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    menu = staff_menu(client.get(reverse("payroll:payruns")).content.decode())
    assert 'href="/staff/data-rights/"' not in menu and 'href="/staff/audit/"' not in menu


def test_superusers_find_the_audit_trail_and_data_rights_in_the_staff_menu(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    menu = staff_menu(client.get(reverse("shop:order_list")).content.decode())
    assert 'href="/staff/audit/"' in menu and 'href="/staff/data-rights/"' in menu


# -- audit trail --------------------------------------------------------------------------


def test_the_audit_filters_do_not_land_in_the_headers_product_search_box(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("shop:audit_log"), {"action": "role.", "page": "1"}).content.decode()
    search_box = html[html.index('id="site-search"'):]
    search_box = search_box[:search_box.index(">")]
    assert 'value=""' in search_box and "role." not in search_box
    # the filters still carry over to the CSV link
    assert 'href="?action=role.&amp;format=csv"' in html


def test_a_customers_own_export_is_shown_by_account_not_as_the_system(client):
    customer = UserFactory()
    client.force_login(customer)
    assert client.get(reverse("shop:my_data_export")).status_code == 200
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("shop:audit_log"), {"action": "data_rights.exported"}).content.decode()
    table = html[html.index('id="audit-events"'):]
    assert f"account #{customer.pk}" in table and ">system<" not in table


# -- data rights --------------------------------------------------------------------------


def test_looking_up_an_address_with_nothing_held_says_so_without_an_export_button(client):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    response = client.post(reverse("shop:staff_data_rights"), {"email": "nobody@example.org"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing is held under this address" in html
    assert "Download the export (JSON)" not in html


def test_looking_up_an_address_with_records_lists_them_with_the_export_button(client):
    make_paid_donation(donor=make_donor(email="held@example.org"), amount="20.00")
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    html = client.post(reverse("shop:staff_data_rights"), {"email": "held@example.org"}).content.decode()
    assert "Nothing is held under this address" not in html
    assert "Download the export (JSON)" in html


# -- giving reports -----------------------------------------------------------------------


def test_a_closed_circle_in_the_staff_report_is_not_linked_to_its_public_page(client):
    GivingCircle.objects.create(name="Open circle", slug="open-circle", yearly_goal=Decimal("100.00"))
    GivingCircle.objects.create(name="Old circle", slug="old-circle", yearly_goal=Decimal("100.00"), is_active=False)
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    html = client.get(reverse("shop:staff_circles")).content.decode()
    assert 'href="/circles/open-circle/"' in html
    assert 'href="/circles/old-circle/"' not in html and "Old circle (closed)" in html
    assert client.get("/circles/old-circle/").status_code == 404  # where the link used to lead


def test_the_giving_report_explains_retention_when_last_year_had_no_donors(client):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    year = timezone.localdate().year
    html = client.get(reverse("shop:staff_giving"), {"year": year}).content.decode()
    assert f"No gifts were received in {year - 1}" in html and "0 of 0 donors" not in html
    assert "No gifts yet." in html


# -- receipts -----------------------------------------------------------------------------


def test_a_long_goods_description_wraps_inside_the_receipt_instead_of_running_off_the_page():
    description = "4 × Spring Gala: Threads of Hope, Gala dinner ticket: three-course dinner, drinks and a parking pass"
    donation = make_paid_donation(amount="400.00", goods_description=description, goods_value=Decimal("160.00"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt_pdf(donation.receipts.get()))).pages)
    table_line = next(line for line in text.splitlines() if line.startswith("4 × Spring Gala"))
    assert table_line != description and description.startswith(table_line)  # wrapped within its column
    assert description in " ".join(text.split())  # nothing lost


# -- event tickets ------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_stripe")
def test_the_pay_page_offers_no_card_form_once_the_hold_has_run_out(client):
    event, dinner = gala()
    ticket = event_service.tickets_reserve(dinner, 1, BUYER)
    pay_url = reverse("shop:donate_pay", args=[gift_token(ticket.donation)])
    assert 'id="payment-form"' in client.get(pay_url).content.decode()  # within the hold: the card form
    Donation.objects.filter(pk=ticket.donation_id).update(created_at=timezone.now() - timedelta(minutes=45))
    html = client.get(pay_url).content.decode()
    assert "has run out" in html and 'id="payment-form"' not in html and "Pay $100.00" not in html
    assert f'href="/events/{event.slug}/"' in html  # the way back


@pytest.mark.usefixtures("fake_stripe")
def test_the_thanks_page_for_tickets_leads_back_to_the_event(client):
    event, dinner = gala()
    ticket = event_service.tickets_reserve(dinner, 1, BUYER)
    html = client.get(reverse("shop:donate_thanks", args=[gift_token(ticket.donation)])).content.decode()
    assert f'href="/events/{event.slug}/"' in html and 'href="/events/"' in html
