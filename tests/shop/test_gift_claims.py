"""Gifts sent by claim link, end to end: the order and its exact shares, links kept only as
hashes, a claim with a choice of box, a link used twice, a guessed link (404, then rate
limited), an expired link, reminders sent once, and each outcome after the expiry date
(credit, refund, fallback shipping); the client sees addresses only with consent."""
import csv
import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse
from django.utils import timezone

from shop.models import (
    BoxSize,
    ClaimCampaign,
    GiftClaim,
    GiftClaimLink,
    GiftDesign,
    GiftOrder,
    GiftRecipient,
    Invoice,
    Organisation,
    OrganisationCredit,
    OrganisationMember,
    Refund,
    VolumeTier,
)
from shop.services.gifts import claims
from shop.services.gifts.fulfilment import order_start_production, shipment_record
from shop.services.gifts.orders import ShipTo, invoice_issue, invoice_mark_paid, proof_review, proof_upload
from shop.services.gifts.quote import design_set_item
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, proof_file
from tests.support.stripe_helpers import card

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
EXPIRES = date(2026, 12, 21)
IN_HAND = TODAY + timedelta(days=40)
HOME = ShipTo(name="Robin Recipient", line1="77 Private Lane", city="Orlando", state="FL", zip="32801")
OFFICE = ShipTo(name="Front desk", company="Acme", line1="1 Harbor Way", city="Tampa", state="FL", zip="33602")


@pytest.fixture
def shop(settings):
    """A card-paying organisation with a member, a box of 12.00 + 2 candles at 20.00 (52.00),
    a cheaper box of 12.00 + 1 candle (32.00), a dearer one (72.00), and a 3.3% tier from 2 boxes."""
    settings.GIFT_SHIPPING_PER_RECIPIENT = D("12.00")
    settings.GIFT_LOGO_FEE, settings.GIFT_INITIALS_FEE = D("3.00"), D("2.00")
    settings.GIFT_CLAIM_REMINDER_DAYS = (7, 2)
    settings.MENDED_RATE_LIMITS = {}
    VolumeTier.objects.create(min_quantity=2, discount_percent=D("3.3"))
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    member = UserFactory()
    OrganisationMember.objects.create(organisation=org, user=member, role="admin")
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    candle = VariantFactory(product=ProductFactory(name="Soy candle"), price=D("20.00"), stock=500)
    designs = {}
    for name, count in (("Thank you", 2), ("Small thanks", 1), ("Big thanks", 3)):
        designs[name] = GiftDesign.objects.create(organisation=org, name=name, size=size)
        design_set_item(designs[name], candle.pk, count)
    return {"org": org, "member": member, "designs": designs, "size": size}


def place(shop, quantity=3, **kwargs):
    options = {"delivery": "links", "expires_on": EXPIRES, "outcome": "credit", "sender_name": "Acme People Team",
               "in_hand_date": IN_HAND, "actor": shop["member"], "today": TODAY}
    options.update(kwargs)
    return claims.claim_order_place(shop["designs"]["Thank you"], quantity, **options)


def links_of(order):
    """The links as the client's CSV gives them (a fresh one for each open gift)."""
    return {number: link for number, _name, _email, link in claims.claim_links_issue(order.pk, None)}


def token_of(link):
    return link.rstrip("/").rsplit("/", 1)[-1]


def pay_by_invoice(order):
    invoice = invoice_issue(order)
    invoice_mark_paid(invoice.pk, None)
    order.refresh_from_db()
    return order


def claim_form(box=None, share=False, **address):
    data = {"name": HOME.name, "line1": HOME.line1, "city": HOME.city, "state": HOME.state, "zip": HOME.zip}
    data.update(address)
    if box is not None:
        data["box"] = str(box)
    if share:
        data["share_address"] = "on"
    return data


def test_each_gift_is_worth_its_exact_share_of_what_the_client_paid(shop):
    order = place(shop)
    # 3 boxes x 52.00 = 156.00, less 3.3% (5.148 -> 5.15) = 150.85, shipping 3 x 12.00 = 36.00,
    # no sales tax (no state in the tax table, so none by link either): 186.85, shared 62.29 + 62.28 + 62.28.
    assert (order.boxes_subtotal, order.shipping, order.tax, order.total) == (D("150.85"), D("36.00"), D("0.00"),
                                                                               D("186.85"))
    assert order.shipping_mode == "claim_link" and order.quantity == 3
    values = list(GiftClaim.objects.filter(campaign__order=order).order_by("number").values_list("value", flat=True))
    assert values == [D("62.29"), D("62.28"), D("62.28")]
    # The claims list is the order's own and the client never sees it among their lists.
    assert order.recipient_list.status == "claims"
    from shop.selectors.gifts.members import recipient_lists_for_member

    assert not recipient_lists_for_member(shop["member"]).exists()


def test_links_are_unguessable_and_only_their_hashes_are_stored(shop, client):
    order = place(shop)
    client.force_login(shop["member"])
    response = client.post(reverse("shop:gift_claim_links", args=[order.number]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["gift", "name", "email", "link"] and [r[0] for r in rows[1:]] == ["1", "2", "3"]
    tokens = [token_of(r[3]) for r in rows[1:]]
    assert len(set(tokens)) == 3 and all(len(t) >= 43 for t in tokens)  # 32 random bytes each
    stored = set(GiftClaimLink.objects.values_list("token_hash", flat=True))
    assert not any(t in stored for t in tokens)
    assert {hashlib.sha256(t.encode()).hexdigest() for t in tokens} == stored
    # A GET of the CSV is refused: making links writes.
    assert client.get(reverse("shop:gift_claim_links", args=[order.number])).status_code == 405


def test_a_recipient_claims_with_a_choice_of_box_and_the_client_sees_the_tracking_not_the_address(shop, client):
    designs = shop["designs"]
    order = place(shop, alternatives=[designs["Small thanks"]])
    link = links_of(order)[1]
    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "A gift from Acme People Team" in text and "Small thanks" in text and "Soy candle" in text
    assert "Choose your box" in text

    missing_box = client.post(link, claim_form())
    assert missing_box.status_code == 400 and "Choose your box" in missing_box.content.decode()
    response = client.post(link, claim_form(box=designs["Small thanks"].pk))
    assert response.status_code == 302
    claim = GiftClaim.objects.get(campaign__order=order, number=1)
    assert (claim.status, claim.chosen_name, claim.name, claim.share_address) == ("claimed", "Small thanks",
                                                                                "Robin Recipient", False)
    recipient = GiftRecipient.objects.get(recipient_list=order.recipient_list)
    assert (recipient.row, recipient.address_line1, recipient.zip) == (1, "77 Private Lane", "32801")
    assert "was claimed on" in client.get(link).content.decode()

    # Staff ship it like any recipient list's row; the client sees who, what and the tracking.
    pay_by_invoice(order)
    GiftOrder.objects.filter(pk=order.pk).update(status=GiftOrder.Status.APPROVED)
    order_start_production(order.pk, None)
    shipment_record(order.pk, carrier="UPS", tracking_number="1Z999", recipient_row=1)
    member = client_for(shop["member"])
    status = member.get(reverse("shop:gift_claims", args=[order.number]))
    assert status.status_code == 200
    text = status.content.decode()
    assert "Robin Recipient" in text and "Small thanks" in text and "UPS 1Z999" in text and "Not shared" in text
    assert "77 Private Lane" not in text and "32801" not in text and "Orlando" not in text
    # On a phone each recipient is a card, every cell under its column's name (table.stack).
    assert '<table class="cart stack claims-table">' in text
    assert '<td data-label="Box">Small thanks</td>' in text and '<td data-label="Tracking">UPS 1Z999' in text
    # Nor on the order page, which links to the claims instead of the hidden list.
    order_page = member.get(reverse("shop:gift_order", args=[order.number])).content.decode()
    assert "77 Private Lane" not in order_page and "Orlando" not in order_page
    assert reverse("shop:gift_claims", args=[order.number]) in order_page
    # The price is broken down: 3 x 52.00 = 156.00, 3.3% off = 5.148 -> 5.15, 150.85 for the boxes.
    assert "<dt>3 boxes × $52.00</dt><dd>$156.00</dd>" in order_page
    assert "<dt>Volume discount: 2 or more, 3.3% off</dt><dd>−$5.15</dd>" in order_page
    assert '<dt class="subtotal">Boxes after the discount</dt><dd class="subtotal">$150.85</dd>' in order_page


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_the_client_sees_an_address_its_recipient_agreed_to_share(shop, client):
    order = place(shop)
    link = links_of(order)[2]
    assert client.post(link, claim_form(share=True, line1="9 Shared St")).status_code == 302
    text = client_for(shop["member"]).get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "9 Shared St, Orlando, FL 32801" in text


def test_a_link_used_twice_ships_once_and_says_already_claimed(shop, client):
    order = place(shop)
    first = links_of(order)[1]
    second = links_of(order)[1]  # the CSV downloaded again: two links to the same gift
    assert client.post(first, claim_form()).status_code == 302
    again = client.post(second, claim_form(line1="1 Other Rd"))
    assert again.status_code == 409
    assert "This gift was claimed on" in again.content.decode()
    assert GiftRecipient.objects.filter(recipient_list=order.recipient_list).count() == 1
    assert GiftRecipient.objects.get(recipient_list=order.recipient_list).address_line1 == "77 Private Lane"
    with pytest.raises(claims.ClaimTaken):
        claims.claim_accept(token_of(first), HOME, today=TODAY)
    # The claimed gift gets no new link.
    assert 1 not in links_of(order)


def test_a_guessed_link_is_a_404_and_guessing_is_rate_limited(shop, client, settings):
    settings.MENDED_RATE_LIMITS = {"gift_claim": "3/h/ip"}
    order = place(shop)
    real = links_of(order)[1]
    for n in range(3):
        response = client.get(f"/gifts/claim/guess-{n}-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")
        assert response.status_code == 404
        assert "does not match a gift" in response.content.decode()
    assert client.get("/gifts/claim/guess-4/").status_code == 429
    # Over the limit, even a real link is refused before it is looked up: nothing to confirm.
    assert client.get(real).status_code == 429
    assert GiftClaim.objects.get(campaign__order=order, number=1).status == "open"


def test_opening_a_real_link_does_not_count_against_the_limit(shop, client, settings):
    settings.MENDED_RATE_LIMITS = {"gift_claim": "3/h/ip"}
    link = links_of(place(shop))[1]
    assert [client.get(link).status_code for _ in range(5)] == [200] * 5


def test_an_expired_link_is_explained(shop, client, monkeypatch):
    order = place(shop)
    link = links_of(order)[1]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: EXPIRES + timedelta(days=1))
    page = client.get(link)
    assert page.status_code == 200 and "its link expired on Dec 21, 2026" in page.content.decode()
    assert "Send me my gift" not in page.content.decode()
    assert client.post(link, claim_form()).status_code == 410
    assert GiftClaim.objects.get(campaign__order=order, number=1).status == "open"


def test_a_box_above_the_price_point_cannot_be_offered(shop):
    with pytest.raises(claims.ClaimError, match="costs \\$72.00 a box, more than the \\$52.00"):
        place(shop, alternatives=[shop["designs"]["Big thanks"]])
    assert not GiftOrder.objects.exists()  # all or nothing


def test_named_recipients_are_read_with_their_line_numbers():
    people = claims.recipients_parse("Ana Diaz, ana@example.com\n\nBo Li\tBO@example.com\n")
    assert [(p.name, p.email) for p in people] == [("Ana Diaz", "ana@example.com"), ("Bo Li", "bo@example.com")]
    with pytest.raises(claims.ClaimError) as error:
        claims.recipients_parse("Ana, ana@example.com\nnot-an-address\nAna again; ana@example.com\n, cy@example.com")
    assert error.value.message == ("3 lines need fixing: line 2: “not-an-address” is not an e-mail address; "
                                   "line 3: ana@example.com is on the list twice; line 4: give the recipient's name "
                                   "before the e-mail address.")


def test_e_mailed_recipients_get_their_link_and_each_reminder_once(shop, mailoutbox, django_capture_on_commit_callbacks):
    people = claims.recipients_parse("Ana Diaz, ana@example.com\nBo Li, bo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, None, delivery="email", recipients=people)
    assert order.quantity == 2
    mailoutbox[:] = [m for m in mailoutbox if m.to != [shop["member"].email]]  # the order-placed e-mail
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.com", "bo@example.com"]
    assert all(m.subject == "Acme People Team sent you a gift" for m in mailoutbox)
    ana_link = next(m for m in mailoutbox if m.to == ["ana@example.com"]).body.split("/gifts/claim/")[1].split("/")[0]
    assert claims.claim_for_token(ana_link).email == "ana@example.com"
    mailoutbox.clear()

    assert claims.claims_remind(EXPIRES - timedelta(days=8)) == []  # none due yet
    assert len(claims.claims_remind(EXPIRES - timedelta(days=7))) == 2  # the first reminder
    assert claims.claims_remind(EXPIRES - timedelta(days=7)) == []  # the daily run again: not twice
    assert claims.claims_remind(EXPIRES - timedelta(days=5)) == []
    assert len(mailoutbox) == 2 and mailoutbox[0].subject.startswith("Reminder: Acme People Team sent you a gift")
    mailoutbox.clear()
    claims.claim_accept(ana_link, HOME, today=EXPIRES - timedelta(days=3))  # Ana claims
    assert len(claims.claims_remind(EXPIRES - timedelta(days=2))) == 1  # the second, to Bo only
    assert [m.to for m in mailoutbox] == [["bo@example.com"]]
    assert claims.claims_remind(EXPIRES) == [] and claims.claims_remind(EXPIRES + timedelta(days=1)) == []
    assert GiftClaim.objects.get(email="bo@example.com").reminders_sent == 2
    # The reminder's own link works too.
    bo_link = mailoutbox[0].body.split("/gifts/claim/")[1].split("/")[0]
    assert claims.claim_for_token(bo_link).email == "bo@example.com"


def test_after_the_expiry_date_unclaimed_gifts_come_back_as_credit_once(shop, client):
    order = place(shop)
    claims.claim_accept(token_of(links_of(order)[1]), HOME, today=TODAY)
    campaign = ClaimCampaign.objects.get(order=order)
    claims.claim_campaign_settle(campaign.pk, EXPIRES + timedelta(days=1))
    assert not OrganisationCredit.objects.exists()  # not paid yet: nothing to give back
    pay_by_invoice(order)
    claims.claim_campaign_settle(campaign.pk, EXPIRES)
    assert not OrganisationCredit.objects.exists()  # the last day to claim is still open

    assert claims.claims_settle_expired(EXPIRES + timedelta(days=1)) == [campaign.pk]
    credit = OrganisationCredit.objects.get()
    assert (credit.amount, credit.key, credit.organisation) == (D("124.56"), f"claims:{order.number}", shop["org"])
    assert list(GiftClaim.objects.filter(campaign=campaign).order_by("number").values_list("status", flat=True)) == [
        "claimed", "cancelled", "cancelled"]
    assert claims.claims_settle_expired(EXPIRES + timedelta(days=2)) == []  # once
    assert OrganisationCredit.objects.count() == 1
    assert claims.organisation_credit_balance(shop["org"]) == D("124.56")
    text = client_for(shop["member"]).get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "2 ($124.56 credited)" in text and "$186.85" in text
    # The client paid 186.85: 62.29 shipped to the recipient who claimed, 124.56 back.
    assert Invoice.objects.get(order=order).amount == D("62.29") + credit.amount


def test_after_the_expiry_date_unclaimed_gifts_are_refunded_to_the_card(shop, localstripe_server):
    Organisation.objects.filter(pk=shop["org"].pk).update(payment_terms=Organisation.Terms.CARD)
    shop["designs"]["Thank you"].organisation.refresh_from_db()
    order = place(shop, outcome="refund")
    stripe.PaymentIntent.modify(order.stripe_payment_intent_id, payment_method=card())
    stripe.PaymentIntent.confirm(order.stripe_payment_intent_id)
    proof_upload(order.pk, proof_file(), None)
    proof_review(order.pk, approve=True, comment="", actor=shop["member"])  # captured: 186.85
    claims.claim_accept(token_of(links_of(order)[3]), HOME, today=TODAY)

    claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    refund = Refund.objects.get()
    # Gifts 1 and 2 unclaimed: 62.29 + 62.28.
    assert (refund.amount, refund.status, refund.payment.gift_order) == (D("124.57"), "succeeded", order)
    assert stripe.Refund.retrieve(refund.stripe_refund_id).amount == 12457
    assert not OrganisationCredit.objects.exists()
    claims.claims_settle_expired(EXPIRES + timedelta(days=2))
    assert Refund.objects.count() == 1


def test_a_card_refund_is_refused_for_an_invoiced_organisation(shop):
    with pytest.raises(claims.ClaimError, match="account credit, not a card refund"):
        place(shop, outcome="refund")


def test_after_the_expiry_date_unclaimed_gifts_ship_to_the_fallback_address(shop, client):
    order = pay_by_invoice(place(shop, outcome="fallback", fallback=OFFICE))
    claims.claim_accept(token_of(links_of(order)[1]), HOME, today=TODAY)
    claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    rows = GiftRecipient.objects.filter(recipient_list=order.recipient_list).order_by("row")
    assert [(r.row, r.name, r.address_line1) for r in rows] == [
        (1, "Robin Recipient", "77 Private Lane"), (2, "Front desk", "1 Harbor Way"), (3, "Front desk", "1 Harbor Way")]
    assert not OrganisationCredit.objects.exists() and not Refund.objects.exists()
    GiftOrder.objects.filter(pk=order.pk).update(status=GiftOrder.Status.APPROVED)
    order_start_production(order.pk, None)
    for row in (1, 2, 3):
        shipment_record(order.pk, carrier="UPS", tracking_number=f"1Z{row}", recipient_row=row)
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.SHIPPED
    text = client_for(shop["member"]).get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "Acme, 1 Harbor Way, Tampa, FL 33602" in text and "UPS 1Z3" in text
    assert "77 Private Lane" not in text  # the recipient's own stays private


def test_cancelled_gifts_are_not_waited_for_before_the_order_counts_as_shipped(shop):
    order = pay_by_invoice(place(shop))
    claims.claim_accept(token_of(links_of(order)[1]), HOME, today=TODAY)
    GiftOrder.objects.filter(pk=order.pk).update(status=GiftOrder.Status.APPROVED)
    order_start_production(order.pk, None)
    shipment_record(order.pk, carrier="UPS", tracking_number="1Z1", recipient_row=1)
    assert GiftOrder.objects.get(pk=order.pk).status == GiftOrder.Status.IN_PRODUCTION  # two may still claim
    claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    assert GiftOrder.objects.get(pk=order.pk).status == GiftOrder.Status.SHIPPED


def test_the_member_orders_by_claim_link_from_the_form(shop):
    member = client_for(shop["member"])
    design = shop["designs"]["Thank you"]
    url = reverse("shop:gift_claim_order", args=[design.pk])
    assert member.get(url).status_code == 200
    data = {"delivery": "email", "recipients": "Ana, ana@example.com\nnobody", "sender_name": "Acme",
            "expires_on": "2099-01-01", "outcome": "fallback", "in_hand_date": "2099-01-01"}
    refused = member.post(url, data)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Needed for the fallback address." in text and "line 2: “nobody” is not an e-mail address" not in text
    data["outcome"] = "credit"
    refused = member.post(url, data)
    assert refused.status_code == 400 and "line 2: “nobody” is not an e-mail address" in refused.content.decode()
    data["recipients"] = "Ana, ana@example.com\nBo, bo@example.com"
    data["expires_on"] = (date.today() + timedelta(days=30)).isoformat()
    response = member.post(url, data)
    order = GiftOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("shop:gift_claims", args=[order.number])
    assert order.quantity == 2 and order.claim_campaign.delivery == "email"
    # Another organisation's member reaches neither the form nor the claims.
    stranger = client_for(UserFactory())
    assert stranger.get(url).status_code == 404
    assert stranger.get(reverse("shop:gift_claims", args=[order.number])).status_code == 404


def test_the_claim_pages_read_in_a_fixed_number_of_queries(shop, client, django_assert_num_queries):
    designs = shop["designs"]
    order = place(shop, 12, alternatives=[designs["Small thanks"]])
    links = links_of(order)
    for number in (1, 2, 3):
        claims.claim_accept(token_of(links[number]), HOME, design_id=designs["Thank you"].pk, today=TODAY)
    member = client_for(shop["member"])
    url = reverse("shop:gift_claims", args=[order.number])
    member.get(url)
    with django_assert_num_queries(13):  # session, user, groups, order (+3 prefetches), campaign, claims, shipments, credit, header
        assert member.get(url).status_code == 200
    with django_assert_num_queries(4):  # the link with its claim and order, the alternatives, items, pictures
        assert client.get(links[4]).status_code == 200


def test_the_claim_page_shows_each_item_with_its_products_first_picture(shop, client):
    """A product with pictures shows its first one (by position) with its alt text."""
    from shop.models import ProductImage

    candle = shop["designs"]["Thank you"].items.get().variant.product
    ProductImage.objects.create(product=candle, image="products/second.jpg", alt_text="The candle lit", position=2)
    ProductImage.objects.create(product=candle, image="products/first.jpg", alt_text="A soy candle in its jar",
                                position=1, width=800, height=800)
    text = client.get(links_of(place(shop))[1]).content.decode()
    assert 'src="/media/products/first.jpg" alt="A soy candle in its jar"' in text
    assert "The candle lit" not in text


# -- the wage fund follows the boxes actually made -------------------------------------------
# Each box of "Thank you" holds 2 candles of 5.00 wage content (the factory's) and 4.00 of
# assembly labour: 14.00 of wages a box. 5 gifts credit 5 x 14.00 = 70.00 (50.00 + 20.00).


def wage_fund_held():
    from payroll.selectors.wage_fund import fund_balance

    return fund_balance("wage_fund")


def reconciles():
    from payroll.services.reconcile import wage_fund_reconcile

    report = wage_fund_reconcile()
    return report.ok, report.lines()


def five_gifts_three_claimed(shop, capture, **kwargs):
    """5 gifts paid by invoice (the wage fund credited 70.00); gifts 1, 3 and 5 claimed."""
    order = place(shop, quantity=5, **kwargs)
    with capture(execute=True):
        pay_by_invoice(order)
    assert wage_fund_held() == D("70.00")
    links = links_of(order)
    for number in (1, 3, 5):
        claims.claim_accept(token_of(links[number]), HOME, today=TODAY)
    return order


def test_unclaimed_gifts_settled_as_credit_take_their_wages_back_once(shop, settings, django_capture_on_commit_callbacks):
    from payroll.models import JournalEntry
    from shop.tasks import gift_claims_daily

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    order = five_gifts_three_claimed(shop, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert claims.claims_settle_expired(EXPIRES + timedelta(days=1)) == [order.claim_campaign.pk]
    # Gifts 2 and 4 were never made: 2 x 14.00 = 28.00 back; 3 boxes x 14.00 = 42.00 stays.
    entry = JournalEntry.objects.get(source_type="gift_unclaimed")
    assert entry.idempotency_key == f"gift-claims:{order.claim_campaign.pk}:reversal"
    assert sorted((p.account.code, p.amount) for p in entry.postings.all()) == [
        ("shop_revenue_clearing", D("-28.00")), ("wage_fund", D("28.00"))]
    assert wage_fund_held() == D("42.00")
    assert reconciles()[0]

    # The daily task again (twice), and the payroll task retried: nothing more is posted.
    from payroll.tasks import reverse_unclaimed_gifts, sweep_wage_fund

    with django_capture_on_commit_callbacks(execute=True):
        gift_claims_daily.apply(kwargs={}).get()
        gift_claims_daily.apply(kwargs={}).get()
    assert reverse_unclaimed_gifts.apply(args=[order.claim_campaign.pk]).get() is False
    sweep_wage_fund.apply().get()
    assert JournalEntry.objects.filter(source_type="gift_unclaimed").count() == 1
    assert wage_fund_held() == D("42.00") and reconciles()[0]


def test_a_lost_reversal_is_named_by_the_reconciliation_and_posted_by_the_sweep(shop, settings, monkeypatch,
                                                                             django_capture_on_commit_callbacks):
    from payroll import tasks

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    order = five_gifts_three_claimed(shop, django_capture_on_commit_callbacks)
    monkeypatch.setattr(tasks.reverse_unclaimed_gifts, "delay", lambda *args, **kwargs: None)  # the message is lost
    with django_capture_on_commit_callbacks(execute=True):
        claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    assert wage_fund_held() == D("70.00")
    ok, lines = reconciles()
    assert not ok
    assert f"Gift orders whose unclaimed gifts' wages are not yet taken back: {order.number}" in lines
    monkeypatch.undo()
    tasks.sweep_wage_fund.apply().get()
    assert wage_fund_held() == D("42.00") and reconciles()[0]


def test_unclaimed_gifts_refunded_to_the_card_take_their_wages_back(shop, settings, localstripe_server,
                                                                    django_capture_on_commit_callbacks):
    from payroll.models import JournalEntry

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    Organisation.objects.filter(pk=shop["org"].pk).update(payment_terms=Organisation.Terms.CARD)
    shop["designs"]["Thank you"].organisation.refresh_from_db()
    order = place(shop, quantity=5, outcome="refund")
    stripe.PaymentIntent.modify(order.stripe_payment_intent_id, payment_method=card())
    stripe.PaymentIntent.confirm(order.stripe_payment_intent_id)
    proof_upload(order.pk, proof_file(), None)
    with django_capture_on_commit_callbacks(execute=True):
        proof_review(order.pk, approve=True, comment="", actor=shop["member"])
    assert wage_fund_held() == D("70.00")
    links = links_of(order)
    for number in (1, 2, 3):
        claims.claim_accept(token_of(links[number]), HOME, today=TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        claims.claims_settle_expired(EXPIRES + timedelta(days=1))
        claims.claims_settle_expired(EXPIRES + timedelta(days=2))
    assert Refund.objects.get().status == "succeeded"
    # Gifts 4 and 5 refunded, never made: 28.00 back, once; the card refund adds no second reversal.
    assert JournalEntry.objects.filter(source_type__in=["gift_unclaimed", "refund"]).count() == 1
    assert wage_fund_held() == D("42.00")
    assert reconciles()[0]


def test_unclaimed_gifts_shipped_to_the_fallback_address_keep_their_wages(shop, settings,
                                                                          django_capture_on_commit_callbacks):
    from payroll.models import JournalEntry

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    order = five_gifts_three_claimed(shop, django_capture_on_commit_callbacks, outcome="fallback", fallback=OFFICE)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    assert GiftRecipient.objects.filter(recipient_list=order.recipient_list).count() == 5  # all five are made
    assert not JournalEntry.objects.filter(source_type="gift_unclaimed").exists()
    assert wage_fund_held() == D("70.00")
    assert reconciles()[0]


def certificate_text(order, member):
    from pypdf import PdfReader

    response = client_for(member).get(reverse("shop:gift_order_certificate", args=[order.number]))
    assert response.status_code == 200
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())


@pytest.mark.parametrize("outcome, made, wages, hours, note", [
    # Credit: gifts 2 and 4 never made. 3 boxes x 14.00 = 42.00; 42.00 / 17.50 an hour = 2.4 hours.
    ("credit", "3 gift boxes", "$42.00", "2.4 hours", "(2 gifts left unclaimed came back to you and were never made.)"),
    # Fallback: all five made and shipped. 5 x 14.00 = 70.00; 70.00 / 17.50 = 4.0 hours.
    ("fallback", "5 gift boxes", "$70.00", "4.0 hours", None),
])
def test_the_impact_certificate_counts_the_boxes_made_not_the_boxes_ordered(
        shop, settings, django_capture_on_commit_callbacks, outcome, made, wages, hours, note):
    settings.GIFT_ASSEMBLY_WAGE, settings.AVERAGE_HOURLY_WAGE = D("4.00"), D("17.50")
    extra = {"outcome": outcome, "fallback": OFFICE} if outcome == "fallback" else {"outcome": outcome}
    order = five_gifts_three_claimed(shop, django_capture_on_commit_callbacks, **extra)
    # Before the expiry date all five may still be made: 5 x 14.00 = 70.00, 4.0 hours.
    before = certificate_text(order, shop["member"])
    assert "5 gift boxes" in before and "$70.00" in before and "4.0 hours of paid work" in before
    with django_capture_on_commit_callbacks(execute=True):
        claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    text = certificate_text(order, shop["member"])
    assert f"Your order of {made}" in text and f"{hours} of paid work" in text and wages in text
    assert (note in text) if note else ("unclaimed" not in text)
    assert "Robin Recipient" not in text and "Private Lane" not in text  # names nobody


# -- the recipient's tracking e-mail -----------------------------------------------------------


def in_production(order):
    pay_by_invoice(order)
    GiftOrder.objects.filter(pk=order.pk).update(status=GiftOrder.Status.APPROVED)
    order_start_production(order.pk, None)


def test_a_recipient_who_left_an_e_mail_address_gets_the_tracking_once_from_the_csv(
        shop, client, mailoutbox, django_capture_on_commit_callbacks):
    from shop.services.gifts.fulfilment import FulfilmentError, shipments_import_tracking

    order = place(shop, quantity=4, alternatives=[shop["designs"]["Small thanks"]])
    links = links_of(order)
    small = shop["designs"]["Small thanks"].pk
    # Gift 1 leaves an address for the tracking; gift 2 leaves none; gift 3 claims with a
    # different name; gift 4 is not claimed yet.
    assert client.post(links[1], claim_form(box=small, email=" Robin@Home.example ")).status_code == 302
    assert client.post(links[2], claim_form(box=small, name="Sam Second")).status_code == 302
    assert client.post(links[3], claim_form(box=small, name="Tess Third", email="tess@home.example")).status_code == 302
    in_production(order)
    mailoutbox.clear()
    csv_bytes = b"row,carrier,tracking_number\n1,UPS,1Z111\n2,USPS,9400222\n"
    with django_capture_on_commit_callbacks(execute=True):
        assert shipments_import_tracking(order.pk, csv_bytes) == 2
    # Rows 1 and 2 shipped; only row 1 left an address: one e-mail, to it alone.
    [message] = mailoutbox
    assert message.to == ["robin@home.example"]
    assert message.subject == "Your gift from Acme People Team is on its way"
    for needle in ("Robin Recipient", "Acme People Team (Acme)", "“Small thanks”", "Carrier: UPS",
                   "Tracking number: 1Z111"):
        assert needle in message.body
    # Nobody else of the client's: not the other recipients, their parcels or the client's people.
    for other in ("Sam Second", "Tess Third", "tess@home.example", "9400222", shop["member"].email):
        assert other not in message.body and other not in message.alternatives[0][0]
    claim = GiftClaim.objects.get(campaign__order=order, number=1)
    assert claim.tracking_emailed_at is not None and claim.email == ""  # the address is kept on the row only

    # The same file again is refused (the rows have shipments) and writes to nobody.
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(FulfilmentError):
            shipments_import_tracking(order.pk, csv_bytes)
        assert claims.tracking_emails_queue([claim.recipient_id]) == 0  # asked again: marked already
    assert len(mailoutbox) == 1
    # The client's claims page never shows the address the recipient typed.
    text = client_for(shop["member"]).get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "robin@home.example" not in text and "tess@home.example" not in text and "UPS 1Z111" in text


def test_an_e_mailed_recipient_s_address_is_pre_filled_and_a_bad_one_is_a_field_error(
        shop, client, mailoutbox, django_capture_on_commit_callbacks):
    people = claims.recipients_parse("Ana Diaz, ana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, None, delivery="email", recipients=people)
    link = links_of(order)[1]
    page = client.get(link).content.decode()
    assert "E-mail for tracking updates" in page and 'value="ana@example.com"' in page
    bad = client.post(link, claim_form(email="ana@@example"))
    assert bad.status_code == 400 and "Enter a valid email address." in bad.content.decode()
    assert GiftClaim.objects.get(campaign__order=order).status == "open"
    assert client.post(link, claim_form(email="ana@example.com")).status_code == 302

    in_production(order)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shipment_record(order.pk, carrier="FedEx", tracking_number="7712", recipient_row=1)
    # The recipient's tracking, and the client's own "every box shipped" (the only gift shipped).
    assert sorted((m.to[0], "Tracking number: 7712" in m.body) for m in mailoutbox) == sorted([
        ("ana@example.com", True), (shop["member"].email, False)])
    # A second parcel for the row is refused; there is no second e-mail.
    from shop.services.gifts.fulfilment import FulfilmentError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(FulfilmentError):
        shipment_record(order.pk, carrier="FedEx", tracking_number="7713", recipient_row=1)
    assert len([m for m in mailoutbox if m.to == ["ana@example.com"]]) == 1


def test_a_fallback_parcel_sends_no_tracking_to_anyone(shop, mailoutbox, django_capture_on_commit_callbacks):
    order = place(shop, quantity=1, outcome="fallback", fallback=OFFICE)
    in_production(order)
    claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shipment_record(order.pk, carrier="UPS", tracking_number="1Z9", recipient_row=1)
    assert all("1Z9" not in m.body or m.to == [shop["member"].email] for m in mailoutbox)
    assert GiftClaim.objects.get(campaign__order=order).tracking_emailed_at is None


def test_a_refund_of_unclaimed_gifts_gives_the_card_back_no_more_than_it_paid(shop, localstripe_server):
    Organisation.objects.filter(pk=shop["org"].pk).update(payment_terms=Organisation.Terms.CARD)
    shop["designs"]["Thank you"].organisation.refresh_from_db()
    OrganisationCredit.objects.create(organisation=shop["org"], amount=D("100.00"), key="earlier:1", reason="Earlier")
    order = place(shop, outcome="refund")
    # 186.85 in all: 100.00 from the account credit, 86.85 on the card.
    assert (order.credit_applied, order.amount_due) == (D("100.00"), D("86.85"))
    stripe.PaymentIntent.modify(order.stripe_payment_intent_id, payment_method=card())
    stripe.PaymentIntent.confirm(order.stripe_payment_intent_id)
    proof_upload(order.pk, proof_file(), None)
    proof_review(order.pk, approve=True, comment="", actor=shop["member"])
    claims.claim_accept(token_of(links_of(order)[3]), HOME, today=TODAY)

    claims.claims_settle_expired(EXPIRES + timedelta(days=1))
    # Gifts 1 and 2 unclaimed: 62.29 + 62.28 = 124.57; the card paid 86.85, so 86.85 goes back
    # to it and 124.57 - 86.85 = 37.72 back as credit.
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (D("86.85"), "succeeded")
    assert stripe.Refund.retrieve(refund.stripe_refund_id).amount == 8685
    assert OrganisationCredit.objects.get(key=f"claims:{order.number}").amount == D("37.72")
    assert claims.organisation_credit_balance(shop["org"]) == D("37.72")  # 100.00 - 100.00 + 37.72
    claims.claims_settle_expired(EXPIRES + timedelta(days=2))
    assert Refund.objects.count() == 1 and OrganisationCredit.objects.filter(key__startswith="claims:").count() == 1


def test_the_packing_list_and_labels_pack_the_box_each_recipient_chose_and_count_each_kind(shop, client):
    from shop.services.gifts.documents import box_counts, packing_list_csv, shipping_labels_csv

    designs = shop["designs"]
    order = place(shop, alternatives=[designs["Small thanks"]])
    links = links_of(order)
    picks = {1: "Thank you", 2: "Small thanks", 3: "Thank you"}
    for number, box in picks.items():
        claims.claim_accept(token_of(links[number]), HOME, design_id=designs[box].pk, today=TODAY)
    order.refresh_from_db()
    candle = str(designs["Thank you"].items.get().variant)
    packing = list(csv.DictReader(io.StringIO(packing_list_csv(order))))
    assert [(r["parcel"], r["box"], r["boxes"]) for r in packing] == [
        ("R1", "Thank you", "1"), ("R2", "Small thanks", "1"), ("R3", "Thank you", "1")]
    # "Thank you" holds 2 candles (as sold, the order's line); "Small thanks" 1 (the alternative's items).
    assert [r["contents"] for r in packing] == [f"2 × {candle}", f"1 × {candle}", f"2 × {candle}"]
    labels = list(csv.DictReader(io.StringIO(shipping_labels_csv(order))))
    assert [r["box"] for r in labels] == ["Thank you", "Small thanks", "Thank you"]
    # Two recipients kept the ordered box, one chose the alternative: 2 + 1 = 3 boxes.
    assert box_counts(order) == [(2, "Thank you"), (1, "Small thanks")]
    # The staff order page says the same, and each recipient row names its box.
    from shop.platform.roles import SHOP_STAFF

    client.force_login(UserFactory(roles=[SHOP_STAFF]))
    page = client.get(reverse("shop:gift_order_staff", args=[order.number])).content.decode()
    assert "2 × Thank you, 1 × Small thanks" in page
    assert page.count("<td>Small thanks</td>") == 1 and page.count("<td>Thank you</td>") == 2


def test_shop_staff_read_claims_and_credit_in_the_admin_without_links_or_addresses(shop, client):
    """Read-only pages: each gift's state and value, the row it ships to (linked to the staff
    order page that shows addresses), never the link's hash nor the address; no add or change."""
    from shop.platform import roles

    order = pay_by_invoice(place(shop))
    link = links_of(order)[2]
    assert client.post(link, claim_form(share=True)).status_code == 302
    claim = GiftClaim.objects.get(campaign__order=order, number=2)
    campaign = claim.campaign
    credit = OrganisationCredit.objects.create(organisation=shop["org"], amount=D("5.00"), reason="Sample",
                                               key="sample:1")
    token_hash = hashlib.sha256(token_of(link).encode()).hexdigest()
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    pages = {
        "campaigns": reverse("admin:shop_claimcampaign_changelist"),
        "open campaigns": reverse("admin:shop_claimcampaign_changelist") + "?period=open",
        "by organisation": reverse("admin:shop_claimcampaign_changelist") + f"?order__organisation__id__exact={shop['org'].pk}",
        "campaign": reverse("admin:shop_claimcampaign_change", args=[campaign.pk]),
        "claims": reverse("admin:shop_giftclaim_changelist") + "?status__exact=claimed",
        "claim": reverse("admin:shop_giftclaim_change", args=[claim.pk]),
        "credit": reverse("admin:shop_organisationcredit_changelist") + f"?organisation__id__exact={shop['org'].pk}",
        "entry": reverse("admin:shop_organisationcredit_change", args=[credit.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = response.content.decode()
        assert token_hash not in text and token_of(link) not in text, name
        assert HOME.line1 not in text and HOME.zip not in text and "Orlando" not in text, name
        assert 'name="_save"' not in text, name  # nothing to save: read-only
    claim_page = client.get(pages["claim"]).content.decode()
    assert f'href="{reverse("shop:gift_order_staff", args=[order.number])}">Row 2 of {order.number}' in claim_page
    assert "Claimed" in client.get(pages["claims"]).content.decode()
    # 3 gifts, 1 claimed (the changelist's counts)
    campaigns = client.get(pages["campaigns"]).content.decode()
    assert '<td class="field-gifts">3</td>' in campaigns and '<td class="field-claimed">1</td>' in campaigns
    assert "5.00" in client.get(pages["credit"]).content.decode()
    assert client.get(reverse("admin:shop_giftclaim_add")).status_code == 403
    assert client.post(pages["claim"], {"status": "open"}).status_code == 403
    assert client.get(reverse("admin:shop_organisationcredit_delete", args=[credit.pk])).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "claimed"


# -- an alternative box moves the stock and the wages (issue 22) ------------------------------
# The ordered "Thank you" carries 2 candles x 5.00 (the factory's wage content) + 4.00 of
# assembly = 14.00 of wages a box; 3 gifts credit 3 x 14.00 = 42.00 at payment.
# "Candle and card": 1 candle (5.00) + 1 card (2.00) + 4.00 = 11.00 -> 11.00 - 14.00 = -3.00.
# "Candle and pouch": 1 candle (5.00) + 1 pouch (12.00) + 4.00 = 21.00 -> 21.00 - 14.00 = +7.00.
# Their prices, 12.00 + 20.00 + 6.00 = 38.00 and 12.00 + 20.00 + 15.00 = 47.00, are under the
# ordered box's 12.00 + 2 x 20.00 = 52.00, so both may be offered.


def alternatives_of(shop, card_stock=5):
    card = VariantFactory(product=ProductFactory(name="Card", wage_content=D("2.00")), price=D("6.00"),
                          stock=card_stock)
    pouch = VariantFactory(product=ProductFactory(name="Pouch", wage_content=D("12.00")), price=D("15.00"), stock=5)
    candle_id = shop["designs"]["Thank you"].items.get().variant_id
    boxes = {}
    for name, other in (("Candle and card", card), ("Candle and pouch", pouch)):
        boxes[name] = GiftDesign.objects.create(organisation=shop["org"], name=name, size=shop["size"])
        design_set_item(boxes[name], candle_id, 1)
        design_set_item(boxes[name], other.pk, 1)
    return boxes, card, pouch


def stock_of(*variants):
    from shop.models import ProductVariant

    return [ProductVariant.objects.get(pk=variant.pk).stock for variant in variants]


def test_an_alternative_box_takes_its_stock_and_posts_its_wage_difference_once(shop, settings,
                                                                              django_capture_on_commit_callbacks):
    from payroll.models import JournalEntry
    from payroll.tasks import adjust_gift_claim_alternative, credit_paid_gift_order, sweep_wage_fund
    from shop.platform.facts import gift_claim_alternative

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, alternatives=list(boxes.values()))
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_invoice(order)
    assert wage_fund_held() == D("42.00")
    links = links_of(order)
    with django_capture_on_commit_callbacks(execute=True):
        claim = claims.claim_accept(token_of(links[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
        claims.claim_accept(token_of(links[2]), HOME, design_id=order.design_id, today=TODAY)  # the ordered box
    assert claim.wage_adjustment == D("-3.00")
    # Placing took 3 boxes x 2 candles: 500 - 6 = 494. The alternative gives one ordered box
    # back (+2 candles) and takes its own items (1 candle, 1 card): 494 + 2 - 1 = 495, 5 - 1 = 4;
    # the gift claiming the ordered box moves nothing (its box was taken at placing).
    assert stock_of(candle, card) == [495, 4]
    entry = JournalEntry.objects.get(source_type="gift_alternative")
    assert (entry.idempotency_key, entry.source_id) == (f"gift-claim:{claim.pk}:alternative", claim.pk)
    assert sorted((p.account.code, p.amount) for p in entry.postings.all()) == [
        ("shop_revenue_clearing", D("-3.00")), ("wage_fund", D("3.00"))]
    assert wage_fund_held() == D("39.00")  # 42.00 - 3.00
    assert reconciles()[0]

    # A replayed fact, a retried task, the order's credit retried and the sweep: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        gift_claim_alternative.send(sender="shop", claim_id=claim.pk, gift_order_id=order.pk)
    assert adjust_gift_claim_alternative.apply(args=[claim.pk]).get() is False
    assert credit_paid_gift_order.apply(args=[order.pk]).get() == 0
    sweep_wage_fund.apply().get()
    assert JournalEntry.objects.filter(source_type="gift_alternative").count() == 1
    assert wage_fund_held() == D("39.00") and reconciles()[0]
    assert stock_of(candle, card) == [495, 4]


def test_alternatives_claimed_before_payment_are_posted_with_its_credit_either_way(shop, settings,
                                                                                 django_capture_on_commit_callbacks):
    from payroll.models import JournalEntry, Posting
    from payroll.tasks import credit_paid_gift_order

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    boxes, _card, _pouch = alternatives_of(shop)
    order = place(shop, alternatives=list(boxes.values()))
    links = links_of(order)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_accept(token_of(links[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
        claims.claim_accept(token_of(links[2]), HOME, design_id=boxes["Candle and pouch"].pk, today=TODAY)
    assert not JournalEntry.objects.exists()  # unpaid: no wages credited yet, no difference either
    assert reconciles()[0]
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_invoice(order)
    # 3 x 14.00 = 42.00 credited, then -3.00 and +7.00: 42.00 - 3.00 + 7.00 = 46.00.
    assert sorted(Posting.objects.filter(entry__source_type="gift_alternative", account__code="wage_fund")
                  .values_list("amount", flat=True)) == [D("-7.00"), D("3.00")]  # the fund: +7.00 in, 3.00 out
    assert wage_fund_held() == D("46.00")
    assert credit_paid_gift_order.apply(args=[order.pk]).get() == 0
    assert wage_fund_held() == D("46.00") and reconciles()[0]


def test_a_lost_alternative_message_is_named_by_the_reconciliation_and_posted_by_the_sweep(
        shop, settings, monkeypatch, django_capture_on_commit_callbacks):
    from payroll import tasks

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    boxes, _card, _pouch = alternatives_of(shop)
    order = place(shop, alternatives=list(boxes.values()))
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_invoice(order)
    monkeypatch.setattr(tasks.adjust_gift_claim_alternative, "delay", lambda *args, **kwargs: None)  # lost
    with django_capture_on_commit_callbacks(execute=True):
        claim = claims.claim_accept(token_of(links_of(order)[1]), HOME, design_id=boxes["Candle and pouch"].pk,
                                    today=TODAY)
    assert wage_fund_held() == D("42.00")
    ok, lines = reconciles()
    assert not ok
    assert f"Claimed alternative boxes whose wage difference is not yet posted (claims): {claim.pk}" in lines
    monkeypatch.undo()
    tasks.sweep_wage_fund.apply().get()
    assert wage_fund_held() == D("49.00") and reconciles()[0]  # 42.00 + 7.00


def test_an_alternative_out_of_stock_is_shown_unavailable_and_refused_if_posted(shop, client):
    boxes, card, _pouch = alternatives_of(shop, card_stock=1)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, alternatives=list(boxes.values()))
    links = links_of(order)
    claims.claim_accept(token_of(links[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    assert stock_of(candle, card) == [495, 0]  # 500 - 6 at placing, + 2 - 1 by gift 1, which took the last card

    url = reverse("shop:gift_claim", args=[token_of(links[2])])
    page = client.get(url).content.decode()
    assert page.count("Out of stock: choose another box.") == 1
    assert f'value="{boxes["Candle and card"].pk}" disabled' in page
    response = client.post(url, claim_form(box=boxes["Candle and card"].pk))
    assert response.status_code == 400
    assert "is out of stock (Card" in response.content.decode()
    claim = GiftClaim.objects.get(campaign__order=order, number=2)
    assert (claim.status, claim.chosen_name) == ("open", "")
    assert stock_of(candle, card) == [495, 0]  # never oversold, nothing half-written
    with pytest.raises(claims.ClaimError, match="“Candle and card” is out of stock"):
        claims.claim_accept(token_of(links[2]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    # Another box still goes through: an ordered box back (+2 candles), the pouch's 1 candle out.
    assert client.post(url, claim_form(box=boxes["Candle and pouch"].pk)).status_code == 302
    assert stock_of(candle, card) == [496, 0]


def test_cancelling_the_order_puts_the_alternatives_stock_back(shop):
    from shop.services.gifts.orders import gift_order_cancel

    boxes, card, pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, alternatives=list(boxes.values()))
    links = links_of(order)
    claims.claim_accept(token_of(links[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    claims.claim_accept(token_of(links[2]), HOME, design_id=boxes["Candle and pouch"].pk, today=TODAY)
    claims.claim_accept(token_of(links[3]), HOME, design_id=order.design_id, today=TODAY)
    # 500 - 6 candles at placing, then each alternative + 2 (an ordered box back) - 1: 496; 5 - 1, 5 - 1.
    assert stock_of(candle, card, pouch) == [496, 4, 4]
    assert GiftOrder.objects.get(pk=order.pk).stock_held == 1  # 3 ordered, 2 picked an alternative
    gift_order_cancel(order.pk, None)
    # The one ordered box still held (+2) and the two alternatives' items (+1 candle, +1 card, +1 pouch each).
    assert stock_of(candle, card, pouch) == [500, 5, 5]


# -- what the client reads about paying (issue 22's journey) ----------------------------------


def test_the_claims_page_says_how_the_order_is_paid_never_paid_before_it_is(shop):
    """It said "Paid for 3 gifts" before any invoice was issued."""
    order = place(shop)
    member = client_for(shop["member"])
    url = reverse("shop:gift_claims", args=[order.number])
    text = member.get(url).content.decode()
    # 3 boxes of 52.00 = 156.00, 3.3% off (5.148 → 5.15) = 150.85; shipping 3 × 12.00 = 36.00; total 186.85.
    assert "Order total, 3 gifts</dt><dd>$186.85" in text
    assert "Paid for" not in text and "By invoice, net 30: issued when you approve the proof" in text
    GiftOrder.objects.filter(pk=order.pk).update(paid_at=timezone.now())
    assert "Paid " + timezone.localdate().strftime("%b %-d, %Y") in member.get(url).content.decode()


def test_a_card_paying_client_is_taken_to_authorise_the_card_after_ordering_by_link(shop, localstripe_server):
    """The claims page never asks for the card: a card order goes to the order page to hold it."""
    Organisation.objects.filter(pk=shop["org"].pk).update(payment_terms=Organisation.Terms.CARD)
    member = client_for(shop["member"])
    url = reverse("shop:gift_claim_order", args=[shop["designs"]["Thank you"].pk])
    form = member.get(url).content.decode()
    assert "by card: authorised when you place the order, charged when you approve the proof" in form
    assert "refunded to the card" in form  # a card order can have its unclaimed gifts refunded
    response = member.post(url, {"delivery": "links", "quantity": "3", "sender_name": "Acme",
                                 "expires_on": (date.today() + timedelta(days=30)).isoformat(), "outcome": "credit",
                                 "in_hand_date": (date.today() + timedelta(days=40)).isoformat()}, follow=True)
    order = GiftOrder.objects.get()
    assert response.redirect_chain == [(reverse("shop:gift_order", args=[order.number]), 302)]
    text = response.content.decode()
    assert "Now authorise your card below" in text and "Authorise $186.85" in text  # the total worked out above
    claims_page = member.get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "By card:" in claims_page and reverse("shop:gift_order", args=[order.number]) in claims_page


def test_an_invoiced_client_is_not_offered_a_card_refund_it_cannot_have(shop):
    """claim_order_place refuses a refund for an invoiced order; the form no longer offers it."""
    member = client_for(shop["member"])
    url = reverse("shop:gift_claim_order", args=[shop["designs"]["Thank you"].pk])
    assert "refunded to the card" not in member.get(url).content.decode()
    refused = member.post(url, {"delivery": "links", "quantity": "3", "sender_name": "Acme",
                                "expires_on": (date.today() + timedelta(days=30)).isoformat(), "outcome": "refund",
                                "in_hand_date": (date.today() + timedelta(days=40)).isoformat()})
    assert refused.status_code == 400 and not GiftOrder.objects.exists()
    assert "come back as account credit or go to a fallback address" in refused.content.decode()


# -- an order not placed is not heard of (issue 22's loose ends) -----------------------------


def over_budget(shop):
    """A member whose $10.00 monthly budget any order goes over: theirs wait for approval."""
    from shop.models import GiftBudget

    buyer = UserFactory(email="buyer@acme.example")
    member = OrganisationMember.objects.create(organisation=shop["org"], user=buyer, role="member")
    GiftBudget.objects.create(member=member, period="month", amount=D("10.00"), set_by=shop["member"])
    return buyer


def invitations(mailoutbox):
    return sorted(m.to[0] for m in mailoutbox if m.subject == "Acme People Team sent you a gift")


def test_recipients_hear_of_a_waiting_order_only_once_it_is_approved(shop, client, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    from shop.services.gifts.budgets import order_decide

    people = claims.recipients_parse("Ana Diaz, ana@example.com\nBo Li, bo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, None, delivery="email", recipients=people, actor=over_budget(shop))
    assert order.status == GiftOrder.Status.AWAITING_APPROVAL
    assert invitations(mailoutbox) == []  # only the administrators were asked
    campaign = ClaimCampaign.objects.get(order=order)
    assert claims.claim_invitations_send(campaign.pk) == 0  # a task queued anyway sends nothing
    assert not GiftClaim.objects.filter(campaign=campaign, emailed_at__isnull=False).exists()

    # A link that exists anyway (made by hand here) opens on "not ready" and claims nothing.
    token = token_of(claims.link_issue(GiftClaim.objects.get(campaign=campaign, number=1)))
    url = reverse("shop:gift_claim", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "This gift is not ready yet." in page.content.decode()
    assert "Send me my gift" not in page.content.decode()
    posted = client.post(url, claim_form())
    assert posted.status_code == 409 and "This gift is not ready yet." in posted.content.decode()
    with pytest.raises(claims.ClaimNotReady, match="This gift is not ready yet."):
        claims.claim_accept(token, HOME, today=TODAY)
    assert GiftClaim.objects.get(campaign=campaign, number=1).status == "open"
    assert not GiftRecipient.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        order_decide(order.pk, approve=True, note="", actor=shop["member"])
    assert invitations(mailoutbox) == ["ana@example.com", "bo@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        assert claims.claim_invitations_send(campaign.pk) == 0  # retried: nobody twice
    assert invitations(mailoutbox) == ["ana@example.com", "bo@example.com"]
    assert client.post(url, claim_form()).status_code == 302  # placed now: the link works
    assert GiftClaim.objects.get(campaign=campaign, number=1).status == "claimed"


def test_a_declined_order_never_e_mails_its_recipients_and_closes_its_gifts(shop, client, mailoutbox,
                                                                            django_capture_on_commit_callbacks):
    from shop.services.gifts.budgets import order_decide

    people = claims.recipients_parse("Ana Diaz, ana@example.com\nBo Li, bo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, None, delivery="email", recipients=people, actor=over_budget(shop))
        order_decide(order.pk, approve=False, note="Not this quarter", actor=shop["member"])
    campaign = ClaimCampaign.objects.get(order=order)
    assert list(GiftClaim.objects.filter(campaign=campaign).values_list("status", flat=True)) == ["cancelled"] * 2
    with django_capture_on_commit_callbacks(execute=True):
        assert claims.claim_invitations_send(campaign.pk) == 0
        assert claims.claims_remind(EXPIRES - timedelta(days=2)) == []
        claims.claims_tick(EXPIRES + timedelta(days=1))
    assert invitations(mailoutbox) == [] and not [m for m in mailoutbox if "ana@example.com" in m.to]
    assert not OrganisationCredit.objects.exists()  # never paid: nothing to give back
    page = client_for(shop["member"]).get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "This order was declined by an administrator: its gifts can no longer be claimed" in page
    assert "<dt>Closed with the order</dt><dd>2</dd>" in page and "credited" not in page


def test_the_links_of_a_waiting_order_are_refused_with_why(shop, django_capture_on_commit_callbacks):
    from shop.services.gifts.budgets import order_decide

    buyer = over_budget(shop)
    order = place(shop, 3, actor=buyer)
    member = client_for(buyer)
    claims_page = reverse("shop:gift_claims", args=[order.number])
    text = member.get(claims_page).content.decode()
    assert "The links come once an administrator approves the order." in text
    assert "Download the links (CSV)" not in text
    refused = member.post(reverse("shop:gift_claim_links", args=[order.number]), follow=True)
    assert refused.redirect_chain == [(claims_page, 302)]
    assert (f"Order {order.number} is waiting for an administrator&#x27;s approval. The links come once an "
            "administrator approves the order.") in refused.content.decode()
    assert not GiftClaimLink.objects.exists()
    order_page = member.get(reverse("shop:gift_order", args=[order.number])).content.decode()
    assert "its claims page</a> (the links come once an administrator approves the order)" in order_page
    order_decide(order.pk, approve=True, note="", actor=shop["member"])
    assert "Download the links (CSV)" in member.get(claims_page).content.decode()
    assert "see who claimed, download the links" in member.get(reverse("shop:gift_order",
                                                                       args=[order.number])).content.decode()
    csv_response = member.post(reverse("shop:gift_claim_links", args=[order.number]))
    assert csv_response.status_code == 200 and GiftClaimLink.objects.count() == 3


def test_the_order_form_says_a_waiting_order_s_links_come_with_the_approval(shop):
    member = client_for(over_budget(shop))
    response = member.post(reverse("shop:gift_claim_order", args=[shop["designs"]["Thank you"].pk]), {
        "delivery": "links", "quantity": "3", "sender_name": "Acme",
        "expires_on": (date.today() + timedelta(days=30)).isoformat(), "outcome": "credit",
        "in_hand_date": (date.today() + timedelta(days=40)).isoformat()}, follow=True)
    order = GiftOrder.objects.get()
    assert response.redirect_chain == [(reverse("shop:gift_claims", args=[order.number]), 302)]
    assert "waits for an administrator&#x27;s approval" in response.content.decode()


def test_the_order_placed_e_mail_of_a_claim_link_order_names_no_claims_list(shop, mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop)
    placed = next(m for m in mailoutbox if m.subject.startswith(f"Gift order {order.number} placed"))
    html = next(content for content, kind in placed.alternatives if kind == "text/html")
    for body in (placed.body, html):
        assert "by claim link: one box to each recipient who claims it" in body
        assert "Claims for" not in body


# -- an alternative box gives back what it took ---------------------------------------------


def test_cancelling_gives_back_what_an_alternative_took_even_if_its_design_changed_since(shop):
    from shop.services.gifts.orders import gift_order_cancel

    boxes, card, pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, alternatives=list(boxes.values()))
    claim = claims.claim_accept(token_of(links_of(order)[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    assert GiftClaim.objects.get(pk=claim.pk).items_taken == {str(candle.pk): 1, str(card.pk): 1}
    # 500 - 3 x 2 at placing = 494, then + 2 (an ordered box back) - 1 = 495; the card 5 - 1.
    assert stock_of(candle, card, pouch) == [495, 4, 5]
    # The client edits the alternative afterwards: a pouch instead of the card, and 2 candles.
    design_set_item(boxes["Candle and card"], card.pk, 0)
    design_set_item(boxes["Candle and card"], pouch.pk, 1)
    design_set_item(boxes["Candle and card"], candle.pk, 2)
    gift_order_cancel(order.pk, None)
    # The 2 ordered boxes still held (+4 candles) and what the claim took (+1 candle, +1 card):
    # everything as before the order; the pouch never left, so none comes back.
    assert stock_of(candle, card, pouch) == [500, 5, 5]


def test_the_migration_fills_claimed_alternatives_from_their_design_and_closes_declined_gifts(shop):
    import importlib

    from django.apps import apps

    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, alternatives=list(boxes.values()))
    links = links_of(order)
    alternative = claims.claim_accept(token_of(links[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    ordered = claims.claim_accept(token_of(links[2]), HOME, design_id=order.design_id, today=TODAY)
    GiftClaim.objects.update(items_taken={})  # as claims made before the change
    declined = place(shop, 2)
    GiftOrder.objects.filter(pk=declined.pk).update(status=GiftOrder.Status.DECLINED)
    importlib.import_module("shop.migrations.0040_claims22").fill(apps, None)
    assert GiftClaim.objects.get(pk=alternative.pk).items_taken == {str(candle.pk): 1, str(card.pk): 1}
    assert GiftClaim.objects.get(pk=ordered.pk).items_taken == {}  # the ordered box took nothing of its own
    assert GiftClaim.objects.get(campaign__order=order, number=3).status == "open"  # a placed order's: untouched
    assert sorted(GiftClaim.objects.filter(campaign__order=declined).values_list("status", "settlement")) == [
        ("cancelled", "order declined")] * 2


def test_recipients_e_mailed_before_the_change_are_not_reminded_while_their_order_waits(
        shop, mailoutbox, django_capture_on_commit_callbacks):
    """An order placed waiting before this change had e-mailed its recipients: no reminder
    follows while it waits; once approved, the reminders resume."""
    from shop.services.gifts.budgets import order_decide

    people = claims.recipients_parse("Ana Diaz, ana@example.com")
    order = place(shop, None, delivery="email", recipients=people, actor=over_budget(shop))
    GiftClaim.objects.filter(campaign__order=order).update(emailed_at=timezone.now())  # as before the change
    assert claims.claims_remind(EXPIRES - timedelta(days=7)) == []
    order_decide(order.pk, approve=True, note="", actor=shop["member"])
    assert len(claims.claims_remind(EXPIRES - timedelta(days=7))) == 1
