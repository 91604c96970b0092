"""What a person can type never gets a 500 or leaves junk behind (issue 19, first part).

Each case was reproduced on 2026-12-06: a time zone that names a folder or is 100,000
characters long, a series ending 9999-12-31, a shift in year 1, an id past 64 bits, a
superscript row number in a tracking file, NUL characters in imported names, ZIP codes in
Arabic-Indic or full-width digits, and signed webhook bodies that are not event objects.
"""
import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payroll.models import Shift, Skill, Volunteer
from shop.models import CartLine, Order, Shipment, StripeEvent
from shop.services.gifts import fulfilment as gift_fulfilment
from shop.services.recipients_import import RecipientImportError, parse_recipients
from tests.support.factories import VariantFactory, recipient_list_for
from tests.shop.test_checkout import ADDRESS, fill_cart
from tests.shop.test_gift_fulfilment import approved_order
from tests.shop.test_recipients_import import recipient_rows, to_csv
from tests.support.stripe_helpers import event, post_webhook, sign
from tests.payroll.volunteers.test_pages import profile_data, shift_form

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999"  # past 2**64
ARABIC_INDIC_ZIP = "٣٣٦٠٢"
FULL_WIDTH_ZIP = "３３６０２"


@pytest.mark.parametrize("zone", ["America", "x" * 100_000, "../../etc/passwd"])
def test_a_time_zone_that_is_not_one_is_a_field_error(client, coordinator, zone):
    response = client.post(reverse("payroll:coordinator_shift_new"), shift_form(time_zone=zone))
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    assert Shift.objects.count() == 0


def test_a_time_zone_with_nul_is_refused_before_the_form(client, coordinator):
    """NUL anywhere in a form is ControlCharacterMiddleware's 400 (shop/platform/security.py)."""
    response = client.post(reverse("payroll:coordinator_shift_new"), shift_form(time_zone="America/New_York\x00"))
    assert response.status_code == 400 and "invisible control character" in response.content.decode()
    assert "time_zone" in response.content.decode()
    assert Shift.objects.count() == 0


@pytest.mark.parametrize("bad", [{"repeat_until": "9999-12-31"}, {"day": "0001-01-01"}, {"day": "9999-12-31"}])
def test_dates_outside_any_sane_window_are_field_errors(client, coordinator, bad):
    response = client.post(reverse("payroll:coordinator_shift_new"), shift_form(**bad))
    assert response.status_code == 400
    field = next(iter(bad))
    assert "typing slip" in " ".join(response.context["form"].errors[field])
    assert Shift.objects.count() == 0


def test_the_series_rule_itself_refuses_a_last_day_in_9999(coordinator):
    """The service, not only the form: 9999-12-31 used to overflow while the days were counted."""
    from datetime import date

    from payroll.services.volunteers.shifts import ShiftDetails, VolunteerError, shift_create

    details = ShiftDetails(title="Sort", location="Warehouse", day=timezone.localdate() + timedelta(days=3),
                           start_time=timezone.datetime(2026, 1, 1, 9).time(),
                           end_time=timezone.datetime(2026, 1, 1, 12).time(), roles=[("Sorting", 4)])
    with pytest.raises(VolunteerError, match="at most"):
        shift_create(details, coordinator, repeat_until=date(9999, 12, 31))
    with pytest.raises(VolunteerError, match="typing slip"):
        shift_create(ShiftDetails(**{**details.__dict__, "day": date(1, 1, 1)}), coordinator)
    assert Shift.objects.count() == 0


def test_an_id_past_64_bits_is_not_a_valid_choice(client, coordinator):
    Skill.objects.create(name="Forklift")
    shift = client.post(reverse("payroll:coordinator_shift_new"), shift_form(required_skills=[HUGE_ID]))
    assert shift.status_code == 400 and "required_skills" in shift.context["form"].errors
    profile = client.post(reverse("payroll:volunteer_profile"), profile_data(skills=[HUGE_ID]))
    assert profile.status_code == 400 and "skills" in profile.context["form"].errors
    assert not Volunteer.objects.exists() and not Shift.objects.exists()


def test_a_delivery_choice_past_64_bits_is_a_field_error_at_checkout(client, shipping):
    fill_cart(client, (VariantFactory(stock=5), 1))
    response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": HUGE_ID})
    assert response.status_code == 400 and "shipping_method" in response.context["form"].errors
    assert not Order.objects.exists()


@pytest.mark.parametrize("zip_code", [ARABIC_INDIC_ZIP, FULL_WIDTH_ZIP, "３３６０２-１２３４"])
def test_zip_codes_take_ascii_digits_only_at_checkout_and_on_the_donate_page(client, shipping, zip_code):
    fill_cart(client, (VariantFactory(stock=5), 1))
    response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk, "postal_code": zip_code})
    assert response.status_code == 400 and "postal_code" in response.context["form"].errors
    donate = client.post(reverse("shop:donate"), {"preset": "25", "frequency": "once", "fund": "general",
                                                  "email": "d@example.org", "name": "Dee Donor", "address_line1": "1 Main St",
                                                  "city": "Tampa", "state": "FL", "postal_code": zip_code})
    assert donate.status_code == 400 and "postal_code" in donate.context["form"].errors
    assert not Order.objects.exists()


def test_recipient_lists_refuse_unicode_digit_zips_and_control_characters_with_row_numbers():
    rows = recipient_rows(3)
    rows[0]["zip"] = ARABIC_INDIC_ZIP  # file row 2
    rows[1]["name"] = "Nul\x00Name"  # row 3
    rows[2]["city"] = "Tam\x1bpa"  # row 4
    with pytest.raises(RecipientImportError) as caught:
        parse_recipients(to_csv(rows))
    problems = {(error.row, error.field) for error in caught.value.errors}
    assert problems == {(2, "zip"), (3, "name"), (4, "city")}


def test_a_tracking_file_with_a_superscript_row_or_a_nul_carrier_records_nothing(acme):
    org, design = acme
    order = approved_order(design, shipping_mode="per_recipient", recipient_list=recipient_list_for(org, count=3))
    gift_fulfilment.order_start_production(order.pk, None)
    for bad, says in ((b"row,carrier,tracking_number\n\xc2\xb2,UPS,1Z2\n", "no recipient in row"),
                      (b"row,carrier,tracking_number\n2,U\x00PS,1Z2\n", "control characters")):
        with pytest.raises(gift_fulfilment.FulfilmentError, match=says):
            gift_fulfilment.shipments_import_tracking(order.pk, bad)
    assert not Shipment.objects.exists()


@pytest.mark.parametrize("body", [b"[1,2]", b'"x"', b"null", b"17", b'{"id": "evt_1", "data": [1]}'])
def test_a_correctly_signed_body_that_is_not_an_event_is_a_400_and_stores_nothing(client, body):
    response = post_webhook(client, body)
    assert response.status_code == 400
    assert response.json() == {"error": "The body is not a Stripe event object."}
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("skew", [-600, 600])
def test_a_signature_ten_minutes_off_either_way_is_refused(client, settings, skew):
    payload = json.dumps(event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})).encode()
    header = sign(payload, settings.STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()) + skew)
    response = post_webhook(client, payload, header=header)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    fresh = post_webhook(client, payload, header=sign(payload, settings.STRIPE_WEBHOOK_SECRET))
    assert fresh.status_code == 200 and StripeEvent.objects.count() == 1


# -- Unicode digits where ASCII digits are meant (int() and Decimal() read "３" and "٣" as 3) ------

@pytest.mark.parametrize("quantity", ["\uff13", "\u0663", "3\u200f"])
def test_a_quantity_in_other_digits_is_a_field_error_in_the_cart(client, quantity):
    variant = VariantFactory(stock=5)
    response = client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": quantity})
    assert response.status_code == 400 and "quantity" in response.context["form"].errors
    assert not CartLine.objects.exists()


def test_an_ssn_in_other_digits_is_refused():
    from django.core.exceptions import ValidationError

    from payroll.validators import normalize_ssn

    assert normalize_ssn("123456789") == "123-45-6789"
    for typed in ("١٢٣-٤٥-٦٧٨٩", "１２３-４５-６７８９"):
        with pytest.raises(ValidationError):
            normalize_ssn(typed)


@pytest.mark.parametrize("year", ["²", "２０２６", "٢٠٢٦", "9" * 30, "-1"])
def test_a_report_year_that_is_not_ascii_digits_shows_this_year(client, year):
    from shop.platform import roles
    from tests.support.factories import UserFactory

    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF, roles.PROGRAM_STAFF, roles.SHOP_STAFF]))
    this_year = str(timezone.localdate().year)
    for url in (reverse("payroll:reports"), reverse("payroll:training_dashboard"), reverse("shop:staff_giving")):
        response = client.get(url, {"year": year})
        assert response.status_code == 200, url
        assert this_year in response.content.decode(), url


def test_a_shift_role_with_other_digits_for_its_places_is_a_field_error(client, coordinator):
    response = client.post(reverse("payroll:coordinator_shift_new"), shift_form(roles="Sorting: \u0664"))
    assert response.status_code == 400 and "roles" in response.context["form"].errors
    assert not Shift.objects.exists()


def test_a_new_hire_report_for_an_id_past_64_bits_is_a_400(client):
    from shop.platform import roles
    from tests.support.factories import UserFactory

    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    for employee in (HUGE_ID, "\u0663", "²"):
        response = client.post(reverse("payroll:new_hires"), {"employee": employee})
        assert response.status_code == 400 and "Choose a hire" in response.content.decode()


def test_hours_in_other_digits_or_a_day_in_year_1_are_row_errors_in_the_hours_import(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from payroll.models import TimeEntry
    from shop.platform import roles
    from tests.payroll.factories import EmployeeFactory, PayRateFactory
    from tests.support.factories import UserFactory

    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    ana = EmployeeFactory(legal_name="Ana Flores", preferred_name="")
    PayRateFactory(employee=ana)
    day = timezone.localdate().isoformat()
    text = f"employee,date,kind,hours\n{ana.pk},{day},regular,\u0667\n{ana.pk},0001-01-01,regular,7\n"
    response = client.post(reverse("payroll:time_import"),
                           {"file": SimpleUploadedFile("hours.csv", text.encode(), "text/csv")})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 2: The hours" in body and "Row 3: Enter a date between 2000 and 2100" in body
    assert not TimeEntry.objects.exists()


def test_the_hours_import_and_the_tracking_file_read_windows_1252(client, acme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.platform import roles
    from tests.payroll.factories import EmployeeFactory, PayRateFactory
    from tests.support.factories import UserFactory

    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    ana = EmployeeFactory(legal_name="Ana Flores", preferred_name="")
    PayRateFactory(employee=ana)
    text = f"employee,date,kind,hours,note\n{ana.pk},{timezone.localdate().isoformat()},regular,7,Café – late\n"
    upload = SimpleUploadedFile("hours.csv", text.encode("cp1252"), "text/csv")  # é and the en dash are not UTF-8 here
    response = client.post(reverse("payroll:time_import"), {"file": upload})
    assert response.status_code == 200 and "1 row ready to import" in response.content.decode()

    org, design = acme
    order = approved_order(design, shipping_mode="per_recipient", recipient_list=recipient_list_for(org, count=2))
    gift_fulfilment.order_start_production(order.pk, None)
    recorded = gift_fulfilment.shipments_import_tracking(order.pk, "row,carrier,tracking_number\n2,Dépôt – Express,1Z2\n"
                                                         .encode("cp1252"))
    assert recorded == 1 and Shipment.objects.get().carrier == "Dépôt – Express"


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "٢٠٢٦-٠١-٠٥", "2026-13-01"])
def test_a_week_outside_the_window_shows_this_week_on_the_coordinators_calendar(client, coordinator, week):
    """Year 1 and 9999 overflowed working out the weeks before and after (a 500)."""
    response = client.get(reverse("payroll:coordinator_week"), {"week": week})
    assert response.status_code == 200
    from payroll.selectors.volunteers import week_of

    assert response.context["monday"] == week_of(timezone.localdate())
