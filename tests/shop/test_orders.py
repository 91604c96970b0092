"""Order states, fulfilment, e-mails and who may see an order."""
import pytest
from django.core import mail
from django.urls import reverse

from shop.platform import roles
from shop.models import Order
from shop.selectors.orders import order_link, order_token
from shop.services.emails import order_send_email
from shop.services.orders import (
    OrderStateError,
    order_cancel,
    order_complete,
    order_mark_paid,
    order_mark_picked_up,
    order_mark_shipped,
)
from tests.support.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Order.State


def test_the_happy_path_pending_paid_fulfilled_completed():
    order = OrderFactory()
    assert order_mark_paid(order.pk) is True
    assert order_mark_paid(order.pk) is False  # a replay changes nothing
    order_mark_shipped(order.pk, "USPS", "9400 1000 0000 0000 0000 00")
    order_complete(order.pk)
    order.refresh_from_db()
    assert order.state == S.COMPLETED and order.carrier == "USPS" and order.completed_at is not None


@pytest.mark.parametrize(
    "state, action, message",
    [
        (S.PENDING, lambda o: order_mark_shipped(o.pk, "UPS", "1Z"), "cannot be marked shipped: it is awaiting payment"),
        (S.PAID, lambda o: order_complete(o.pk), "cannot be completed before it is fulfilled"),
        (S.CANCELLED, lambda o: order_mark_paid(o.pk), "cannot be marked paid: it is cancelled"),
        (S.PAID, lambda o: order_cancel(o.pk, "x"), "cannot be cancelled: it is paid"),
        (S.REFUNDED, lambda o: order_mark_shipped(o.pk, "UPS", "1Z"), "cannot be marked shipped: it is refunded"),
    ],
)
def test_illegal_transitions_raise_a_clear_error_and_change_nothing(state, action, message):
    order = OrderFactory(state=state)
    with pytest.raises(OrderStateError, match=message):
        action(order)
    order.refresh_from_db()
    assert order.state == state


def test_shipping_needs_carrier_and_tracking_and_pickups_are_picked_up():
    order = OrderFactory(state=S.PAID)
    with pytest.raises(OrderStateError, match="carrier and the tracking"):
        order_mark_shipped(order.pk, "USPS", " ")
    pickup = OrderFactory(state=S.PAID, is_pickup=True)
    with pytest.raises(OrderStateError, match="local pickup"):
        order_mark_shipped(pickup.pk, "USPS", "1")
    order_mark_picked_up(pickup.pk)
    pickup.refresh_from_db()
    assert pickup.state == S.FULFILLED


def test_cancelling_puts_the_stock_back():
    order = OrderFactory()
    line = order.lines.get()
    before = line.variant.stock
    order_cancel(order.pk, "Customer changed their mind")
    line.variant.refresh_from_db()
    assert line.variant.stock == before + line.quantity


def test_confirmation_email_has_text_and_html_and_a_working_link(client):
    order = OrderFactory(state=S.PAID)
    order.lines.update(title="Cedar & Sage Candle")
    assert order_send_email(order.pk, "confirmation") is True
    assert order_send_email(order.pk, "confirmation") is False  # sent once
    message = mail.outbox[0]
    assert len(mail.outbox) == 1 and message.to == [order.email]
    html = message.alternatives[0][0]
    assert order.number in message.body and "$28.15" in message.body and "$28.15" in html
    assert "Cedar & Sage Candle" in message.body and "Cedar &amp; Sage Candle" in html  # text is not HTML-escaped
    link = order_link(order)
    assert link in message.body and link in html
    assert client.get(link.split("8000", 1)[-1]).status_code == 200


def test_shipping_email_carries_the_tracking_number(django_capture_on_commit_callbacks):
    order = OrderFactory(state=S.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_shipped(order.pk, "UPS", "1Z999AA10123456784")
    assert len(mail.outbox) == 1
    assert "1Z999AA10123456784" in mail.outbox[0].body and "UPS" in mail.outbox[0].alternatives[0][0]


def test_nobody_sees_another_persons_order(client):
    alice, bob = UserFactory(), UserFactory()
    alices = OrderFactory(user=alice)
    guest_order = OrderFactory()
    client.force_login(bob)
    assert client.get(reverse("shop:order_detail", args=[alices.number])).status_code == 404
    assert client.get(reverse("shop:order_detail", args=[guest_order.number])).status_code == 404
    assert alices.number not in client.get(reverse("shop:order_list")).content.decode()
    client.force_login(alice)
    assert client.get(reverse("shop:order_detail", args=[alices.number])).status_code == 200
    assert alices.number in client.get(reverse("shop:order_list")).content.decode()


def test_a_guest_link_shows_only_its_order_and_cannot_be_forged(client):
    order, other = OrderFactory(), OrderFactory()
    page = client.get(reverse("shop:order_by_link", args=[order_token(order)]))
    assert page.status_code == 200 and order.number in page.content.decode()
    assert other.number not in page.content.decode()
    forged = order_token(order).replace(order_token(order)[-4:], "AAAA")
    assert client.get(reverse("shop:order_by_link", args=[forged])).status_code == 404
    assert client.get(reverse("shop:order_by_link", args=[other.number])).status_code == 404


def test_the_order_list_and_the_order_page_show_the_same_status(client):
    import re

    def status_on_list():
        page = client.get(reverse("shop:order_list")).content.decode()
        return re.search(rf"{order.number}</a></td><td>[^<]*</td><td>([^<]*)</td>", page).group(1)

    def status_on_page(url):
        page = client.get(url).content.decode()
        return re.search(r'id="order-state"[^>]*>\s*([^<]*?)\s*</p>', page).group(1)

    customer = UserFactory()
    order = OrderFactory(user=customer)
    client.force_login(customer)
    pages = [reverse("shop:order_detail", args=[order.number]), reverse("shop:order_by_link", args=[order_token(order)])]
    for url in pages:
        assert status_on_page(url).startswith(status_on_list())
    assert status_on_list() == "Waiting for the payment to be confirmed"
    order_mark_paid(order.pk)  # right after paying
    assert status_on_list() == "Paid"
    assert all(status_on_page(url) == "Paid: thank you! We are preparing your order." for url in pages)


def test_the_confirmation_page_polls_until_paid(client):
    order = OrderFactory()
    token = order_token(order)
    page = client.get(reverse("shop:order_by_link", args=[token])).content.decode()
    assert "Waiting for the payment" in page and "order-status.js" in page
    assert client.get(reverse("shop:order_status", args=[token])).json() == {"number": order.number, "state": "pending", "paid": False}
    order_mark_paid(order.pk)
    assert client.get(reverse("shop:order_status", args=[token])).json()["paid"] is True
    page = client.get(reverse("shop:order_by_link", args=[token])).content.decode()
    assert "Paid: thank you" in page and "order-status.js" not in page


def test_staff_ship_an_order_in_the_admin(client, django_capture_on_commit_callbacks):
    order = OrderFactory(state=S.PAID)
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    url = reverse("admin:shop_order_ship", args=[order.pk])
    assert client.post(url, {"carrier": "", "tracking_number": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"carrier": "USPS", "tracking_number": "9400"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == S.FULFILLED and len(mail.outbox) == 1
    again = client.post(url, {"carrier": "USPS", "tracking_number": "9400"})
    assert again.status_code == 400 and "cannot be marked shipped" in again.content.decode()


def test_admin_order_list_filters(client):
    OrderFactory(state=S.PAID)
    OrderFactory(state=S.PENDING)
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    page = client.get(reverse("admin:shop_order_changelist"), {"state": "paid", "total": "under50"})
    assert page.status_code == 200 and page.context["cl"].result_count == 1
    assert client.get(reverse("admin:shop_order_changelist"), {"total": "250up"}).context["cl"].result_count == 0
