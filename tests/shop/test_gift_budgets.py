"""Budgets and approvals (issue 22): an administrator gives a member a budget per period; an
order over it waits for an administrator (e-mailed), who approves it (placed then) or declines
it with a note (the member is e-mailed either way)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from shop.models import BoxSize, GiftBudget, GiftDesign, GiftOrder, Organisation, OrganisationMember
from shop.services.gifts.budgets import BudgetError, member_spent, order_decide, period_start
from shop.services.gifts.orders import gift_order_place
from shop.services.gifts.quote import design_set_item
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
LATER = TODAY + timedelta(days=60)


@pytest.fixture
def acme(settings):
    settings.GIFT_BULK_SHIPPING_BASE, settings.GIFT_BULK_SHIPPING_PER_BOX = D("40.00"), D("0.00")
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    admin = UserFactory(email="admin@acme.example")
    buyer = UserFactory(email="buyer@acme.example")
    OrganisationMember.objects.create(organisation=org, user=admin, role="admin")
    member = OrganisationMember.objects.create(organisation=org, user=buyer, role="member")
    size = BoxSize.objects.create(name="Small", slots=4, base_price=D("10.00"))
    design = GiftDesign.objects.create(organisation=org, name="Thanks", size=size)
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=1000)
    design_set_item(design, candle.pk, 1)
    return org, admin, buyer, member, design


def place(design, actor, boxes):
    # Each box $30.00 (10 + 20), bulk shipping $40.00, no tax: 10 boxes = $340.00.
    return gift_order_place(design, boxes, shipping_mode="bulk", ship_to=bulk_address("NY"), in_hand_date=LATER,
                            actor=actor, today=TODAY)


def test_periods_start_where_a_finance_team_counts_them():
    assert period_start("month", date(2026, 11, 23)) == date(2026, 11, 1)
    assert period_start("quarter", date(2026, 11, 23)) == date(2026, 10, 1)
    assert period_start("quarter", date(2026, 3, 31)) == date(2026, 1, 1)
    assert period_start("year", date(2026, 11, 23)) == date(2026, 1, 1)


def test_an_order_within_the_budget_is_placed_and_one_over_it_waits_for_an_administrator(
        client, acme, django_capture_on_commit_callbacks):
    org, admin, buyer, member, design = acme
    client.force_login(admin)
    response = client.post(reverse("shop:gift_member_budget", args=["acme", member.pk]),
                           {f"m{member.pk}-period": "month", f"m{member.pk}-amount": "500.00"})
    assert response.status_code == 302
    assert (member.budget.period, GiftBudget.objects.get().amount) == ("month", D("500.00"))

    first = place(design, buyer, 10)  # $340.00 of $500.00
    assert first.status == GiftOrder.Status.PLACED and first.total == D("340.00")
    assert member_spent(member, "month", TODAY) == D("340.00")
    with django_capture_on_commit_callbacks(execute=True):
        second = place(design, buyer, 5)  # $190.00 more: $530.00 > $500.00
    assert second.status == GiftOrder.Status.AWAITING_APPROVAL
    assert [m.to for m in mail.outbox] == [["admin@acme.example"]]
    assert "over their budget" in mail.outbox[0].body and "$190.00" in mail.outbox[0].body
    assert member_spent(member, "month", TODAY) == D("340.00")  # a waiting order is not spent yet
    # The administrator is not limited.
    assert place(design, admin, 100).status == GiftOrder.Status.PLACED

    # The member sees it waiting, without the decision form; the administrator has the form.
    client.force_login(buyer)
    page = client.get(reverse("shop:gift_order", args=[second.number]))
    assert "Waiting for approval" in page.content.decode() and not page.context["can_decide"]
    refused = client.post(reverse("shop:gift_order_decide", args=[second.number]), {"decision": "approve"})
    assert refused.status_code == 400 and GiftOrder.objects.get(pk=second.pk).status == "awaiting_approval"

    client.force_login(admin)
    assert client.get(reverse("shop:gift_order", args=[second.number])).context["can_decide"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:gift_order_decide", args=[second.number]),
                               {"decision": "approve", "note": "Fine for the launch."})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.decided_by, second.decision_note) == ("placed", admin, "Fine for the launch.")
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == [
        f"Gift order {second.number} approved", f"Gift order {second.number} placed"]
    assert "Fine for the launch." in next(m for m in mail.outbox if "approved" in m.subject).body


def test_a_decline_needs_a_note_and_tells_the_member(client, acme, django_capture_on_commit_callbacks):
    org, admin, buyer, member, design = acme
    GiftBudget.objects.create(member=member, period="quarter", amount=D("100.00"))
    waiting = place(design, buyer, 10)
    assert waiting.status == GiftOrder.Status.AWAITING_APPROVAL
    client.force_login(admin)
    no_note = client.post(reverse("shop:gift_order_decide", args=[waiting.number]), {"decision": "decline", "note": " "})
    assert no_note.status_code == 400 and "Say why" in " ".join(no_note.context["decision_form"].non_field_errors())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("shop:gift_order_decide", args=[waiting.number]),
                    {"decision": "decline", "note": "Use the Q1 budget."})
    waiting.refresh_from_db()
    assert waiting.status == GiftOrder.Status.DECLINED and waiting.decision_note == "Use the Q1 budget."
    assert [m.to for m in mail.outbox] == [["buyer@acme.example"]] and "Use the Q1 budget." in mail.outbox[0].body
    with pytest.raises(BudgetError, match="not waiting"):
        order_decide(waiting.pk, approve=True, note="", actor=admin)  # decided once
    assert member_spent(member, "quarter", TODAY) == D("0.00")


@pytest.mark.parametrize("amount, field", [("-1", "amount"), ("abc", "amount"), ("99999999999", "amount"),
                                           ("٣", "amount")])
def test_a_bad_budget_is_a_field_error(client, acme, amount, field):
    org, admin, buyer, member, design = acme
    client.force_login(admin)
    response = client.post(reverse("shop:gift_member_budget", args=["acme", member.pk]),
                           {f"m{member.pk}-period": "month", f"m{member.pk}-amount": amount})
    assert response.status_code == 400 and not GiftBudget.objects.exists()


def test_only_administrators_set_budgets(client, acme):
    org, admin, buyer, member, design = acme
    client.force_login(buyer)
    response = client.post(reverse("shop:gift_member_budget", args=["acme", member.pk]),
                           {f"m{member.pk}-period": "month", f"m{member.pk}-amount": "1000000"})
    assert response.status_code == 400 and not GiftBudget.objects.exists()


def test_another_organisations_member_is_not_found(client, acme):
    org, admin, buyer, member, design = acme
    other = OrganisationMember.objects.create(organisation=Organisation.objects.create(name="B", slug="b"),
                                              user=UserFactory())
    client.force_login(admin)
    response = client.post(reverse("shop:gift_member_budget", args=["acme", other.pk]),
                           {f"m{other.pk}-period": "month", f"m{other.pk}-amount": "10"})
    assert response.status_code == 404 and not GiftBudget.objects.exists()


def _dated(order, when):
    from django.utils import timezone

    GiftOrder.objects.filter(pk=order.pk).update(created_at=timezone.make_aware(when))


def test_each_member_spent_counts_their_own_period_only(acme):
    from datetime import datetime

    from shop.services.gifts.budgets import members_spent

    org, admin, buyer, member, design = acme
    # Boxes are $30.00 and bulk shipping $40.00: 1 box $70.00, 2 $100.00, 3 $130.00, 4 $160.00.
    _dated(place(design, buyer, 1), datetime(2026, 11, 5, 12))   # this month
    _dated(place(design, buyer, 2), datetime(2026, 10, 10, 12))  # this quarter, not this month
    _dated(place(design, buyer, 3), datetime(2026, 2, 1, 12))    # this year only
    _dated(place(design, buyer, 4), datetime(2025, 12, 20, 12))  # last year: never counted
    cancelled = place(design, buyer, 5)
    GiftOrder.objects.filter(pk=cancelled.pk).update(status=GiftOrder.Status.CANCELLED)
    place(design, admin, 6)  # someone else's order
    budget = GiftBudget.objects.create(member=member, amount=D("1000.00"), period="month")
    member = OrganisationMember.objects.select_related("budget").get(pk=member.pk)
    admin_member = OrganisationMember.objects.select_related("budget").get(user=admin)
    assert members_spent(org, [admin_member, member], TODAY) == {member.pk: D("70.00")}
    for period, expected in (("quarter", D("170.00")), ("year", D("300.00"))):
        budget.period = period
        budget.save()
        member = OrganisationMember.objects.select_related("budget").get(pk=member.pk)
        assert members_spent(org, [member], TODAY) == {member.pk: expected}
        assert member_spent(member, period, TODAY) == expected  # the same as the one-member sum


def _people_page_queries(client, org, admin, design, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    periods = ("month", "quarter", "year")
    for n in range(count):
        user = UserFactory(email=f"person{n:02}@{org.slug}.example")
        person = OrganisationMember.objects.create(organisation=org, user=user, role="member")
        GiftBudget.objects.create(member=person, amount=D("900.00"), period=periods[n % 3])
        gift_order_place(design, 1, shipping_mode="bulk", ship_to=bulk_address("NY"), in_hand_date=LATER,
                         actor=user)  # $70.00, placed today: in every period
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("shop:gift_members", args=[org.slug]))
    assert page.status_code == 200
    assert page.content.decode().count("$900.00 a ") == count
    assert page.content.decode().count("$70.00 spent") == count
    return len(queries)


def test_the_people_page_asks_the_database_the_same_number_of_times_for_2_or_10_members(client, acme):
    org, admin, buyer, member, design = acme
    OrganisationMember.objects.filter(pk=member.pk).delete()
    two = _people_page_queries(client, org, admin, design, 2)

    other = Organisation.objects.create(name="Birch", slug="birch", payment_terms=Organisation.Terms.NET30)
    other_admin = UserFactory(email="admin@birch.example")
    OrganisationMember.objects.create(organisation=other, user=other_admin, role="admin")
    other_design = GiftDesign.objects.create(organisation=other, name="Thanks", size=design.size)
    design_set_item(other_design, design.items.get().variant_id, 1)
    ten = _people_page_queries(client, other, other_admin, other_design, 10)
    assert two == ten
