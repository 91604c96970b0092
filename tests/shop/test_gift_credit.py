"""Account credit spent on the next gift order (issue 22): spent:<order> when placed, the
invoice for the rest, full cover paid at once without Stripe, the $0.50 rule, approval
waiting then declined, a cancelled order's credit returned once, a replayed spend."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from payroll.models import Posting
from payroll.services.reconcile import wage_fund_reconcile
from shop.models import BoxSize, GiftBudget, GiftDesign, GiftOrder, Organisation, OrganisationCredit, OrganisationMember
from shop.platform import stripe_gateway as gateway
from shop.services.gifts.budgets import order_decide
from shop.services.gifts.credit import credit_spend, credit_to_apply, organisation_credit_balance
from shop.services.gifts.orders import gift_order_cancel, gift_order_place, proof_review, proof_upload
from shop.services.gifts.quote import design_set_item
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address, proof_file

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
LATER = TODAY + timedelta(days=60)


@pytest.fixture
def acme(settings, monkeypatch):
    settings.GIFT_BULK_SHIPPING_BASE, settings.GIFT_BULK_SHIPPING_PER_BOX = D("40.00"), D("0.00")
    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    admin = UserFactory(email="admin@acme.example")
    OrganisationMember.objects.create(organisation=org, user=admin, role="admin")
    size = BoxSize.objects.create(name="Small", slots=4, base_price=D("10.00"))
    design = GiftDesign.objects.create(organisation=org, name="Thanks", size=size)
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1, wage_content=D("7.00")),
                            price=D("20.00"), stock=1000)
    design_set_item(design, candle.pk, 1)

    def no_stripe(*args, **kwargs):
        raise AssertionError("no Stripe call expected")

    monkeypatch.setattr(gateway, "create_payment_intent", no_stripe)
    return org, admin, design


def give(org, amount, key="claims:GB-0000001"):
    OrganisationCredit.objects.create(organisation=org, amount=D(amount), key=key, reason="Unclaimed gifts")


def place(design, actor, boxes=10):
    # Each box $30.00 (10 + 20), bulk shipping $40.00, NY untaxed: 10 boxes = 300 + 40 = $340.00.
    return gift_order_place(design, boxes, shipping_mode="bulk", ship_to=bulk_address("NY"), in_hand_date=LATER,
                            actor=actor, today=TODAY)


def fund():
    return -sum((p.amount for p in Posting.objects.filter(account__code="wage_fund")), D("0"))


def test_the_credit_rule_leaves_at_least_fifty_cents_for_the_card():
    assert credit_to_apply(D("100.00"), D("340.00")) == D("100.00")  # partial: 240.00 left to pay
    assert credit_to_apply(D("500.00"), D("340.00")) == D("340.00")  # covers all
    assert credit_to_apply(D("339.70"), D("340.00")) == D("339.50")  # 0.30 would be left: 340.00 - 0.50
    assert credit_to_apply(D("339.50"), D("340.00")) == D("339.50")  # exactly 0.50 left
    assert credit_to_apply(D("0.00"), D("340.00")) == D("0.00")
    assert credit_to_apply(D("0.20"), D("0.60")) == D("0.10")  # 0.60 - 0.50


def test_partial_credit_and_the_invoice_for_the_rest(acme, django_capture_on_commit_callbacks):
    from django.core import mail

    org, admin, design = acme
    give(org, "100.00")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(design, admin)
    order.refresh_from_db()
    assert (order.total, order.credit_applied, order.amount_due) == (D("340.00"), D("100.00"), D("240.00"))
    assert OrganisationCredit.objects.get(key=f"spent:{order.number}").amount == D("-100.00")
    assert organisation_credit_balance(org) == D("0.00")  # 100.00 - 100.00
    body = mail.outbox[-1].body
    assert "Account credit: −$100.00" in body and "To pay: $240.00" in body
    proof_upload(order.pk, proof_file(), admin)
    proof_review(order.pk, approve=True, comment="", actor=admin)
    assert order.invoice.amount == D("240.00")  # 340.00 - 100.00


def test_credit_covering_all_pays_at_once_without_stripe_and_credits_wages_once(
        acme, django_capture_on_commit_callbacks):
    from payroll.services.wage_fund import gift_orders_unposted, wage_fund_credit_gift_order

    org, admin, design = acme
    give(org, "500.00")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(design, admin)
    order.refresh_from_db()
    assert (order.credit_applied, order.amount_due) == (D("340.00"), D("0.00")) and order.paid_at is not None
    assert not order.payments.exists()
    assert organisation_credit_balance(org) == D("160.00")  # 500.00 - 340.00
    # 10 boxes x 1 candle x 7.00 = 70.00, plus 10 x 4.00 assembly = 40.00
    assert fund() == D("110.00")
    assert wage_fund_credit_gift_order(order.pk) == 0 and gift_orders_unposted() == []  # a retry posts nothing
    proof_upload(order.pk, proof_file(), admin)
    with django_capture_on_commit_callbacks(execute=True):
        order = proof_review(order.pk, approve=True, comment="", actor=admin)
    assert order.status == GiftOrder.Status.APPROVED and not hasattr(order, "invoice_set")
    assert fund() == D("110.00") and wage_fund_reconcile().ok


def test_the_fifty_cent_rule_when_credit_nearly_covers_it(acme):
    org, admin, design = acme
    give(org, "339.70")
    order = place(design, admin)
    assert (order.credit_applied, order.amount_due) == (D("339.50"), D("0.50"))  # 340.00 - 0.50
    assert organisation_credit_balance(org) == D("0.20")  # 339.70 - 339.50
    assert order.paid_at is None


def test_an_order_waiting_for_approval_spends_nothing_and_a_decline_changes_nothing(acme):
    org, admin, design = acme
    buyer = UserFactory(email="buyer@acme.example")
    member = OrganisationMember.objects.create(organisation=org, user=buyer, role="member")
    GiftBudget.objects.create(member=member, period="month", amount=D("100.00"))
    give(org, "100.00")
    order = place(design, buyer)  # $340.00 > $100.00: waits
    assert order.status == GiftOrder.Status.AWAITING_APPROVAL and order.credit_applied == D("0.00")
    assert organisation_credit_balance(org) == D("100.00")
    order_decide(order.pk, approve=False, note="Not this quarter", actor=admin)
    assert organisation_credit_balance(org) == D("100.00")
    assert not OrganisationCredit.objects.filter(key__endswith=order.number).exists()
    second = place(design, buyer)
    order_decide(second.pk, approve=True, note="", actor=admin)  # spent only now it is placed
    second.refresh_from_db()
    assert second.credit_applied == D("100.00") and organisation_credit_balance(org) == D("0.00")


def test_a_cancelled_order_returns_its_credit_once(acme):
    org, admin, design = acme
    give(org, "100.00")
    order = place(design, admin)
    gift_order_cancel(order.pk, admin)
    assert OrganisationCredit.objects.get(key=f"returned:{order.number}").amount == D("100.00")
    assert organisation_credit_balance(org) == D("100.00")  # 100.00 - 100.00 + 100.00
    with pytest.raises(Exception, match="only an order whose proof"):
        gift_order_cancel(order.pk, admin)
    assert organisation_credit_balance(org) == D("100.00")


def test_a_replayed_spend_or_a_second_order_never_spends_the_same_credit(acme):
    org, admin, design = acme
    give(org, "100.00")
    order = place(design, admin)
    with transaction.atomic():
        assert credit_spend(order) == D("100.00")  # the replay finds spent:<order>: nothing more
    assert OrganisationCredit.objects.filter(key=f"spent:{order.number}").count() == 1
    second = place(design, admin)  # a replayed place request is a new order: no credit is left for it
    assert second.credit_applied == D("0.00") and second.amount_due == D("340.00")
    assert organisation_credit_balance(org) == D("0.00")


def test_the_people_page_shows_the_credit_balance_and_its_entries(acme, client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    org, admin, design = acme
    give(org, "100.00")
    give(org, "50.00", key="claims:GB-0000002")
    client.force_login(admin)
    url = reverse("shop:gift_members", args=[org.slug])
    page = client.get(url).content.decode()
    assert "Account credit: $150.00</h2>" in page  # 100.00 + 50.00
    assert '<td class="num">$100.00</td>' in page and '<td class="num">$50.00</td>' in page
    with django_capture_on_commit_callbacks(execute=True):
        order = place(design, admin)  # $340.00: the $150.00 is spent on it
    page = client.get(url).content.decode()
    assert "Account credit: $0.00</h2>" in page
    assert f">{order.number}</a></td><td class=\"num\">-$150.00</td>" in page


def test_the_quote_pdf_shows_the_credit_and_what_is_left_to_pay(acme, client):
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    org, admin, design = acme
    give(org, "100.00")
    client.force_login(admin)
    pdf = client.get(reverse("shop:gift_design_quote_pdf", args=[design.pk]) + "?quantity=10&shipping=bulk&state=NY")
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    # 10 boxes × $30.00 = $300.00 + $40.00 bulk shipping = $340.00; $100.00 of credit: $240.00 to pay.
    for line in ("10 boxes × $30.00 $300.00", "Shipping $40.00", "Total $340.00", "Account credit -$100.00",
                 "To pay $240.00", "Your organisation's account credit is $100.00 today"):
        assert line in text, (line, text)
