"""Impact figures: hours of paid survivor work, never who did it."""
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from shop.selectors.orders import order_token
from shop.services.emails import order_send_email
from shop.services.orders import order_mark_paid
from tests.support.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_confirmation_page_and_email_say_how_many_hours_the_order_funded(client, settings):
    settings.AVERAGE_HOURLY_WAGE = Decimal("17.50")
    order = OrderFactory()
    order.lines.update(wage_content=Decimal("18.50"), quantity=2, line_total=Decimal("40.00"))
    order_mark_paid(order.pk)
    # 2 x 18.50 = 37.00 of wages / 17.50 an hour = 2.114... -> 2.1 hours
    page = client.get(reverse("shop:order_by_link", args=[order_token(order)])).content.decode()
    assert "funded <strong>2.1 hours</strong>" in page
    order_send_email(order.pk, "confirmation")
    assert "funded 2.1 hours of paid survivor work" in mail.outbox[0].body


def test_an_unpaid_order_claims_no_impact(client):
    order = OrderFactory()
    assert "hours</strong>" not in client.get(reverse("shop:order_by_link", args=[order_token(order)])).content.decode()


def test_home_page_shows_this_years_running_total(client, settings):
    settings.AVERAGE_HOURLY_WAGE = Decimal("20.00")
    for _ in range(3):
        order = OrderFactory()  # one line: wage content 5.00
        order_mark_paid(order.pk)
    OrderFactory()  # not paid: does not count
    # 3 x 5.00 = 15.00 / 20.00 = 0.75 -> 0.8 hours (half up)
    html = client.get(reverse("shop:home")).content.decode()
    assert "<strong>0.8</strong> hours of paid survivor work funded" in html
