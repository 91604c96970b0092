"""Giving circles: public totals without anyone's amount, the leaders' page, invitations,
joining through a monthly gift, and the staff report."""
import csv
import io
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

import pytest
import stripe
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from shop.models import CircleInvitation, Donation, GivingCircle, RecurringGift
from shop.platform.roles import SHOP_STAFF
from shop.services.circles import CircleError, circle_join, invitation_email
from shop.services.donations import gift_token, recurring_confirm
from shop.templatetags.money import usd
from tests.support.factories import UserFactory
from tests.shop.giving.conftest import details
from tests.shop.giving.factories import make_donor, make_paid_donation, make_recurring
from tests.support.stripe_helpers import card, event

pytestmark = pytest.mark.django_db
R = RecurringGift.Status


def make_circle(slug="womens-circle", name="Women's Giving Circle", goal="2500.00", leader_first_name="Lena", **fields):
    circle = GivingCircle.objects.create(name=name, slug=slug, yearly_goal=Decimal(goal),
                                         description="We give monthly together.", **fields)
    leader = UserFactory(first_name=leader_first_name, last_name="Leaderson")
    circle.leaders.add(leader)
    return circle, leader


def this_year(month_offset=0):
    """A moment in the current year (now, or the first of an earlier month of it)."""
    now = timezone.now()
    if month_offset == 0:
        return now
    return timezone.make_aware(datetime(now.year, max(1, now.month - month_offset), 1, 12))


@pytest.fixture
def circle_with_members():
    """Members with distinctive amounts; rows that count and rows that must not."""
    circle, leader = make_circle()
    other_circle, _ = make_circle(slug="mens-circle", name="Men's Giving Circle", leader_first_name="Otto")
    year = timezone.localdate().year
    people = {
        "prudence": make_donor("prudence.quill@example.org", "Prudence Quill"),
        "octavia": make_donor("octavia.marsh@example.org", "Octavia Marsh"),
        "barnaby": make_donor("barnaby.finch@example.org", "Barnaby Finch"),
        "cornelia": make_donor("cornelia.vance@example.org", "Cornelia Vance"),
        "pascal": make_donor("pascal.reed@example.org", "Pascal Reed"),
    }
    gifts = {  # donor: (monthly amount, status, anonymous)
        "prudence": ("137.00", R.ACTIVE, False),
        "octavia": ("211.00", R.ACTIVE, True),
        "barnaby": ("43.00", R.PAST_DUE, False),
        "cornelia": ("66.00", R.CANCELLED, False),
        "pascal": ("89.00", R.PAUSED, False),
    }
    recurring = {k: make_recurring(people[k], amount, status=status, anonymous=anon, circle=circle)
                 for k, (amount, status, anon) in gifts.items()}
    RecurringGift.objects.filter(pk=recurring["cornelia"].pk).update(cancelled_at=timezone.now())
    rows = []  # (donor key, amount, status, paid_at, circle) of every gift made here

    def paid(key, amount, when, status=Donation.Status.PAID, in_circle=circle, monthly=True):
        d = make_paid_donation(people[key], amount, paid_at=when, receipt=False, circle=in_circle,
                               recurring=recurring[key] if monthly else None, anonymous=gifts[key][2])
        if status != Donation.Status.PAID:
            Donation.objects.filter(pk=d.pk).update(status=status, refunded_at=timezone.now())
        rows.append((key, Decimal(amount), status, d.paid_at, in_circle))

    paid("prudence", "137.00", this_year(1))
    paid("prudence", "137.00", this_year())
    paid("octavia", "211.00", this_year())
    paid("barnaby", "43.00", this_year(2))
    paid("cornelia", "66.00", this_year(3))  # cancelled since: the gift still counts, the member not
    paid("pascal", "89.00", this_year(1))
    paid("octavia", "999.00", this_year(), status=Donation.Status.REFUNDED)  # refunded: not counted
    paid("prudence", "137.00", timezone.make_aware(datetime(year - 1, 6, 1, 12)))  # last year
    paid("barnaby", "512.00", this_year(), in_circle=None, monthly=False)  # a gift to no circle
    paid("barnaby", "377.00", this_year(), in_circle=other_circle, monthly=False)  # another circle's
    make_recurring(make_donor(name="Ingrid Pending"), "55.00", status=R.INCOMPLETE, circle=circle)  # not yet a member
    return {"circle": circle, "leader": leader, "people": people, "gifts": gifts, "rows": rows, "year": year,
            "other_circle": other_circle}


def expected_progress(data):
    """The circle's total, percent and member count, worked out here from the rows made above."""
    circle, year = data["circle"], data["year"]
    raised = sum((amount for _, amount, status, when, c in data["rows"]
                  if c == circle and status == Donation.Status.PAID and timezone.localtime(when).year == year),
                 Decimal("0.00"))
    percent = int((raised * 100 / circle.yearly_goal).to_integral_value(rounding=ROUND_FLOOR))
    members = len({k for k, (_, status, _) in data["gifts"].items() if status in (R.ACTIVE, R.PAST_DUE)})
    return raised, percent, members


def assert_no_individual_details(html, data, names=True):
    amounts = {amount for _, amount, _, _, _ in data["rows"]} | {Decimal(a) for a, _, _ in data["gifts"].values()}
    per_donor = {}
    for key, amount, status, _, c in data["rows"]:
        if c == data["circle"] and status == Donation.Status.PAID:
            per_donor[key] = per_donor.get(key, Decimal(0)) + amount
    for amount in amounts | set(per_donor.values()):
        assert usd(amount) not in html and f"{amount:.2f}" not in html, f"an individual amount {amount} is shown"
    for person in data["people"].values():
        assert person.email not in html
        if names:
            assert person.name not in html and person.name.split()[0] not in html


def test_circle_totals_without_individual_amounts_on_the_public_pages(client, circle_with_members):
    data = circle_with_members
    raised, percent, members = expected_progress(data)
    assert (raised, percent, members) == (Decimal("683.00"), 27, 3)  # 137 + 137 + 211 + 43 + 66 + 89 of $2,500
    for url in (reverse("shop:circles"), reverse("shop:circle", args=[data["circle"].slug])):
        html = client.get(url).content.decode()
        assert usd(raised) in html and f"{percent}%" in html and f"<strong>{members}</strong> members" in html
        assert usd(data["circle"].yearly_goal) in html
        assert_no_individual_details(html, data)
    detail = client.get(reverse("shop:circle", args=[data["circle"].slug])).content.decode()
    assert "Led by Lena." in detail and "Leaderson" not in detail and data["leader"].email not in detail
    assert reverse("shop:circle_join", args=[data["circle"].slug]) in detail
    assert reverse("shop:circle_lead", args=[data["circle"].slug]) not in detail


def test_a_total_from_one_donor_is_not_shown(client):
    circle, _ = make_circle()
    donor = make_donor(name="Solo Giver")
    recurring = make_recurring(donor, "137.00", circle=circle)
    make_paid_donation(donor, "137.00", receipt=False, circle=circle, recurring=recurring)
    make_paid_donation(donor, "137.00", receipt=False, circle=circle, recurring=recurring)
    html = client.get(reverse("shop:circle", args=[circle.slug])).content.decode()
    assert "$137.00" not in html and "$274.00" not in html and "10%" not in html  # 274 of 2,500 is 10%
    assert "<strong>1</strong> member " in html and "Solo" not in html
    assert "Progress is shown once two or more members have given" in html


def test_progress_is_capped_on_the_bar_not_in_the_words(client):
    circle, _ = make_circle(goal="100.00")
    for name in ("Ann One", "Bea Two"):
        donor = make_donor(name=name)
        recurring = make_recurring(donor, "75.00", circle=circle)
        make_paid_donation(donor, "75.00", receipt=False, circle=circle, recurring=recurring)
    html = client.get(reverse("shop:circle", args=[circle.slug])).content.decode()
    assert 'max="100" value="100"' in html and "goal reached: 150%" in html


def test_the_leader_sees_members_without_amounts(client, circle_with_members):
    data = circle_with_members
    client.force_login(data["leader"])
    response = client.get(reverse("shop:circle_lead", args=[data["circle"].slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("prudence", "barnaby", "cornelia", "pascal"):
        assert data["people"][key].name in html
    assert "Octavia" not in html and "Anonymous member" in html  # she chose anonymous
    assert "Ingrid" not in html  # still waiting for her first payment
    assert "Past due" in html and "Cancelled" in html and "Paused" in html
    assert "3 current members" in html
    amounts = {amount for _, amount, _, _, _ in data["rows"]} | {Decimal(a) for a, _, _ in data["gifts"].values()}
    for amount in amounts:
        assert usd(amount) not in html and f"{amount:.2f}" not in html
    for person in data["people"].values():
        assert person.email not in html


def test_only_the_circles_own_leaders_see_its_leader_page(client, circle_with_members):
    data = circle_with_members
    url = reverse("shop:circle_lead", args=[data["circle"].slug])
    assert client.get(url).status_code == 302  # to log in
    other_leader = data["other_circle"].leaders.get()
    for person in (other_leader, UserFactory(), UserFactory(roles=[SHOP_STAFF])):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"addresses": "x@example.org"}).status_code == 404
    assert not CircleInvitation.objects.exists()
    client.force_login(other_leader)
    assert client.get(reverse("shop:circle_lead", args=[data["other_circle"].slug])).status_code == 200


def test_invitations_are_sent_once_per_address_and_inviting_again_resends(client, django_capture_on_commit_callbacks):
    circle, leader = make_circle()
    client.force_login(leader)
    url = reverse("shop:circle_lead", args=[circle.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"addresses": "Amy@Example.org, amy@example.org\nben@example.org; amy@example.org"})
    assert response.status_code == 302
    assert sorted(CircleInvitation.objects.values_list("email", flat=True)) == ["amy@example.org", "ben@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["amy@example.org", "ben@example.org"]
    amy = CircleInvitation.objects.get(email="amy@example.org")
    link = reverse("shop:circle_join", args=[circle.slug]) + f"?invite={amy.token}"
    message = next(m for m in mail.outbox if m.to == ["amy@example.org"])
    assert link in message.body and "Lena invited you" in message.body and circle.name in message.subject
    assert amy.sent_at is not None and amy.invited_by == leader

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"addresses": "amy@example.org"})
    assert CircleInvitation.objects.count() == 2  # the same invitation...
    assert [m.to for m in mail.outbox] == [["amy@example.org"]] and link in mail.outbox[0].body  # ...sent again

    # A retried task for a request already answered sends nothing more.
    amy.refresh_from_db()
    assert invitation_email(amy.pk, (amy.sent_at - timezone.timedelta(seconds=1)).isoformat()) is False
    assert len(mail.outbox) == 1

    mail.outbox.clear()
    response = client.post(url, {"addresses": "amy@example.org, not-an-address"})
    assert response.status_code == 400 and "not-an-address" in response.content.decode() and mail.outbox == []

    page = client.get(url).content.decode()
    assert "amy@example.org" in page and "ben@example.org" in page


def test_members_already_in_are_not_invited(client, django_capture_on_commit_callbacks):
    circle, leader = make_circle()
    make_recurring(make_donor("member@example.org"), circle=circle)
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("shop:circle_lead", args=[circle.slug]), {"addresses": "member@example.org"})
    assert not CircleInvitation.objects.exists() and mail.outbox == []


def test_joining_through_an_invitation_and_a_paid_month_credits_the_circle(client, localstripe_server, deliver):
    circle, leader = make_circle()
    invitation = CircleInvitation.objects.create(circle=circle, email="joiner@example.org", invited_by=leader)
    join = reverse("shop:circle_join", args=[circle.slug]) + f"?invite={invitation.token}"
    page = client.get(join)
    assert page.status_code == 200 and 'value="joiner@example.org"' in page.content.decode()
    assert "Lena invited you" in page.content.decode() and 'name="frequency"' not in page.content.decode()
    response = client.post(join, {"preset": "other", "other_amount": "137.00", "fund": "counselling",
                                  "name": "Jo Joiner", "email": "joiner@example.org"})
    recurring = RecurringGift.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:donate_pay", args=[gift_token(recurring)])
    assert recurring.circle == circle and recurring.amount == Decimal("137.00") and recurring.status == R.INCOMPLETE
    assert recurring.fund == "counselling"

    recurring_confirm(recurring, card())
    recurring.refresh_from_db()
    invoice = stripe.Subscription.retrieve(recurring.stripe_subscription_id).latest_invoice
    deliver(event("invoice.payment_succeeded", {"id": invoice, "object": "invoice"}))
    gift = Donation.objects.get()
    assert gift.circle == circle and gift.recurring == recurring and gift.is_paid and gift.amount == Decimal("137.00")
    invitation.refresh_from_db()
    assert invitation.joined_at is not None
    thanks = client.get(reverse("shop:donate_thanks", args=[gift_token(recurring)])).content.decode()
    assert escape(circle.name) in thanks
    html = client.get(reverse("shop:circle", args=[circle.slug])).content.decode()
    assert "<strong>1</strong> member " in html and "$137.00" not in html


def test_the_donate_form_without_a_circle_credits_none(client):
    response = client.post(reverse("shop:donate"), {"preset": "other", "other_amount": "30.00", "frequency": "monthly",
                                                   "fund": "general", "name": "Dana", "email": "dana@example.org"})
    assert response.status_code == 302 and RecurringGift.objects.get().circle is None


def test_a_closed_circle_is_not_public_and_cannot_be_joined(client):
    circle, leader = make_circle(is_active=False)
    assert escape(circle.name) not in client.get(reverse("shop:circles")).content.decode()
    assert client.get(reverse("shop:circle", args=[circle.slug])).status_code == 404
    assert client.get(reverse("shop:circle_join", args=[circle.slug])).status_code == 404
    with pytest.raises(CircleError):
        circle_join(circle, details(monthly=True))
    assert not RecurringGift.objects.exists()
    client.force_login(leader)
    assert client.get(reverse("shop:circle_lead", args=[circle.slug])).status_code == 200  # its leader still sees it


def test_staff_report_per_circle(client, circle_with_members):
    data = circle_with_members
    raised, percent, members = expected_progress(data)
    client.force_login(UserFactory(roles=[SHOP_STAFF]))
    year = data["year"]
    html = client.get(reverse("shop:staff_circles") + f"?year={year}").content.decode()
    assert escape(data["circle"].name) in html and usd(raised) in html and f"{percent}%" in html
    response = client.get(reverse("shop:staff_circles_csv") + f"?year={year}")
    rows = {r["circle"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    row = rows[data["circle"].name]
    assert Decimal(row["raised"]) == raised and int(row["percent_of_goal"]) == percent
    assert int(row["members"]) == members
    assert int(row["new_members"]) == 4  # prudence gave last year first; octavia, barnaby, cornelia, pascal
    assert int(row["cancelled"]) == 1  # cornelia
    assert Decimal(row["refunded"]) == Decimal("999.00") and int(row["gifts"]) == 6
    # active and past-due monthly gifts: 137 + 211 + 43 = 391 over 3
    assert Decimal(row["monthly_total"]) == Decimal("391.00")
    assert Decimal(row["average_monthly_gift"]) == Decimal("130.33")
    assert row["leaders"] == "Lena Leaderson"
    other = rows[data["other_circle"].name]
    assert Decimal(other["raised"]) == Decimal("377.00")  # staff see a one-donor total; public pages do not
    assert "$377.00" not in client.get(reverse("shop:circle", args=[data["other_circle"].slug])).content.decode()


def test_demo_circles(client, django_capture_on_commit_callbacks):
    from shop.demo.giving import DEMO_CIRCLES, seed_circles

    leader = UserFactory(email="customer@mended.example", first_name="Casey")
    with django_capture_on_commit_callbacks(execute=True):
        assert seed_circles() == 20  # women's: three members x 3 months + a cancelled one's 2; men's: 3 x 3
    assert seed_circles() == 0
    assert mail.outbox == []  # demo receipts and invitations count as sent already
    womens = GivingCircle.objects.get(slug="womens-circle")
    assert list(womens.leaders.all()) == [leader] and womens.yearly_goal == Decimal("24000.00")
    assert GivingCircle.objects.get(slug="mens-circle").yearly_goal == Decimal("12000.00")
    html = client.get(reverse("shop:circles")).content.decode()
    for _, _, _, _, _, members in DEMO_CIRCLES:
        for name, amount, _, _ in members:
            assert name not in html and usd(Decimal(amount)) not in html
    assert "<strong>3</strong> members" in html  # each circle: three giving now
    client.force_login(leader)
    assert "Anonymous member" in client.get(reverse("shop:circle_lead", args=["womens-circle"])).content.decode()
