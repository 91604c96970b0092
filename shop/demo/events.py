"""Demo events for the embedded default: an upcoming gala fundraiser (tickets with a dinner
value, sponsorship tiers, a few paid tickets and a paid sponsor with a logo), a pop-up
shop with free entry, and a hosting request waiting for a decision. Created once.

Purchases are paid through the same service as real ones (receipts show the deductible
part); demo receipts count as e-mailed already."""
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from shop.models import Donation, Donor, Event, EventTicket, HostingRequest, Payment, Receipt, Sponsorship
from shop.services.donations import donation_mark_paid
from shop.services.events import sponsorship_description, ticket_description
from shop.services.receipts import receipt_issue

DEMO_DOMAIN = "@events.demo.mended.example"
GALA = "spring-gala"


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_events() -> int:
    if Event.objects.filter(slug=GALA).exists():
        return 0
    gala = Event.objects.create(
        title="Spring Gala: Threads of Hope", slug=GALA, kind=Event.Kind.FUNDRAISER, venue="The Harbor Room",
        address="200 Example Boulevard, Tampa, FL 33602", starts_at=_at(45, 18, 30), ends_at=_at(45, 22), capacity=120,
        is_published=True,
        description="An evening of dinner, music and stories from the workshop. Every ticket and sponsorship funds "
                    "survivors' wages, counselling and care.\n\nDress: festive. Parking at the venue.",
    )
    dinner = gala.ticket_types.create(name="Gala dinner", price=Decimal("100.00"), fair_market_value=Decimal("40.00"),
                                      benefit_description="dinner and drinks")
    gala.ticket_types.create(name="Livestream", price=Decimal("25.00"), fair_market_value=Decimal("0.00"),
                             benefit_description="the evening's livestream")
    gold = gala.sponsorship_tiers.create(
        name="Gold", amount=Decimal("1000.00"), fair_market_value=Decimal("200.00"), max_sponsors=5,
        benefits="A table for four at the gala dinner, with drinks\nYour logo and link on the event page\nThanks from the stage",
    )
    gala.sponsorship_tiers.create(name="Friend", amount=Decimal("250.00"), fair_market_value=Decimal("0.00"),
                                  benefits="Your logo and link on the event page")
    made = 0
    for name, quantity, days_ago in (("Pat Attendee", 2, 9), ("Tom Ticket", 4, 4), ("Ana Example", 1, 1)):
        donation = _paid(name, dinner.price * quantity, dinner.fair_market_value * quantity,
                         ticket_description(dinner, quantity), days_ago, kind=Payment.Kind.TICKET)
        ticket = EventTicket.objects.create(ticket_type=dinner, event=gala, donation=donation, quantity=quantity,
                                            buyer_name=name, buyer_email=donation.donor.email)
        EventTicket.objects.filter(pk=ticket.pk).update(created_at=donation.created_at)
        made += 1
    bank = _paid("Example Community Bank", gold.amount, gold.fair_market_value, sponsorship_description(gold), 12,
                 contact="Dev Sponsor", kind=Payment.Kind.SPONSORSHIP)
    sponsorship = Sponsorship(tier=gold, event=gala, donation=bank, sponsor_name="Example Community Bank",
                              link="https://bank.demo.mended.example/")
    sponsorship.logo.save("example-community-bank.png", _logo("Example Community Bank", "#1f5f7a"), save=False)
    sponsorship.save()
    Sponsorship.objects.filter(pk=sponsorship.pk).update(created_at=bank.created_at)
    Event.objects.create(
        title="Holiday pop-up shop", slug="holiday-pop-up", kind=Event.Kind.POPUP, venue="Our workshop",
        address="100 Harbor Street, Suite 4, Tampa, FL 33602", starts_at=_at(20, 10), ends_at=_at(20, 16), capacity=200,
        is_published=True,
        description="Scarves, totes and gifts made in our workshop, at the workshop. Meet the makers' trainers, "
                    "wrap your presents with us, and have a hot cider. Free entry.",
    )
    HostingRequest.objects.get_or_create(
        organisation="Example Youth Mentors", defaults={
            "contact_name": "Jordan Host", "email": "jordan" + DEMO_DOMAIN, "phone": "813-555-0142",
            "date": timezone.localdate() + timedelta(days=60), "expected_guests": 40,
            "purpose": "An evening training for our volunteer mentors on recognising the signs of trafficking.",
        },
    )
    return made + 1


def _paid(name: str, total: Decimal, goods_value: Decimal, goods: str, days_ago: int, contact: str = "",
          kind: str = Payment.Kind.TICKET) -> Donation:
    email = (contact or name).lower().replace(" ", ".") + DEMO_DOMAIN
    donor, _ = Donor.objects.get_or_create(email=email, defaults={
        "name": contact or name, "address_line1": "40 Sample Boulevard", "city": "Tampa", "state": "FL",
        "postal_code": "33606"})
    donation = Donation.objects.create(donor=donor, donor_name=name, donor_address=donor.address, amount=total,
                                       total=total, goods_value=goods_value, goods_description=goods)
    Payment.objects.create(kind=kind, donation=donation, amount=total, status="succeeded", demo=True)  # never charged at Stripe
    paid_at = timezone.now() - timedelta(days=days_ago)
    Donation.objects.filter(pk=donation.pk).update(created_at=paid_at - timedelta(minutes=5))  # bought, then paid
    donation_mark_paid(donation.pk, paid_at=paid_at)
    receipt = receipt_issue(donation.pk)
    Receipt.objects.filter(pk=receipt.pk).update(emailed_at=paid_at)  # historical: it went out when paid
    donation.refresh_from_db()
    return donation


def _logo(name: str, colour: str) -> ContentFile:
    image = Image.new("RGB", (600, 200), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([16, 40, 136, 160], radius=24, fill=colour)
    draw.text((56, 70), name[0], fill="#ffffff", font=ImageFont.load_default(size=56))
    draw.text((160, 80), name, fill=colour, font=ImageFont.load_default(size=34))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())
