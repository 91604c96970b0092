"""Around a gift order: recipient lists, tax per recipient, production to delivery with
tracking, packing list and label exports, the impact certificate, invitations, and the
organisation wall around all of it."""
import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from pypdf import PdfReader

from shop.models import (
    BoxSize,
    GiftDesign,
    GiftOrder,
    GiftRecipient,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    RecipientList,
    Shipment,
)
from shop.platform.roles import SHOP_STAFF
from shop.services import organisations
from shop.services.gifts import fulfilment as gift_fulfilment
from shop.services.gifts.orders import gift_order_place, proof_review, proof_upload
from shop.services.gifts.quote import design_set_item
from tests.support.factories import ProductFactory, TaxRateFactory, UserFactory, VariantFactory, bulk_address, recipient_list_for, proof_file, proof_image
from tests.shop.test_recipients_import import recipient_rows, to_csv

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
LATER = TODAY + timedelta(days=60)


def member_of(org, role="member"):
    user = UserFactory()
    OrganisationMember.objects.create(organisation=org, user=user, role=role)
    return user


@pytest.fixture
def acme(settings):
    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    settings.AVERAGE_HOURLY_WAGE = D("17.50")
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    size = BoxSize.objects.create(name="Small", slots=4, base_price=D("10.00"))
    design = GiftDesign.objects.create(organisation=org, name="Thanks", size=size, message="Thank you for a great year")
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1, wage_content=D("3.50")),
                            price=D("20.00"), stock=1000)
    design_set_item(design, candle.pk, 1)
    return org, design


def approved_order(design, **kwargs):
    order = gift_order_place(design, in_hand_date=LATER, actor=kwargs.pop("actor", None), today=TODAY, **kwargs)
    proof_upload(order.pk, proof_file("proof.png", proof_image()), None)
    return proof_review(order.pk, approve=True, comment="", actor=None)


# -- recipient lists -------------------------------------------------------------------------


def test_a_list_with_three_bad_rows_among_500_imports_nothing_and_shows_every_bad_row(client, acme, django_capture_on_commit_callbacks):
    org, _design = acme
    client.force_login(member_of(org))
    rows = recipient_rows(500)
    rows[9]["state"] = "ZZ"  # file row 11
    rows[249]["zip"] = "1234"  # row 251
    rows[498]["name"] = ""  # row 500
    upload = SimpleUploadedFile("clients.csv", to_csv(rows).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:gift_recipients"), {"name": "Clients", "file": upload})
    recipient_list = RecipientList.objects.get()
    assert response.url == reverse("shop:gift_recipient_list", args=[recipient_list.pk])
    assert recipient_list.status == RecipientList.Status.FAILED and GiftRecipient.objects.count() == 0
    assert sorted({e["row"] for e in recipient_list.row_errors}) == [11, 251, 500]
    page = client.get(response.url).content.decode()
    assert "3 rows have problems; nothing was imported" in page
    for row in ("<td>11</td>", "<td>251</td>", "<td>500</td>"):
        assert row in page


def test_a_good_list_imports_every_row_and_reports_full_progress(client, acme, django_capture_on_commit_callbacks):
    org, _design = acme
    client.force_login(member_of(org))
    upload = SimpleUploadedFile("clients.csv", to_csv(recipient_rows(250)).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:gift_recipients"), {"name": "", "file": upload})
    recipient_list = RecipientList.objects.get()
    assert recipient_list.status == RecipientList.Status.READY and recipient_list.recipients.count() == 250
    assert recipient_list.name == "clients.csv"  # no name given: the file's
    progress = client.get(reverse("shop:gift_recipient_list_progress", args=[recipient_list.pk])).json()
    assert progress == {"status": "ready", "done": 250, "total": 250, "percent": 100}
    assert "250 recipients, ready" in client.get(response.url).content.decode()


def test_an_hr_export_imports_with_its_own_headers_and_the_page_names_the_ignored_column(
        client, acme, django_capture_on_commit_callbacks):
    org, _design = acme
    client.force_login(member_of(org))
    text = ("Employee ID,First Name,Last Name,E-mail,Address 1,Address 2,City,State/Province,Zip Code\r\n"
            "E-17,Ana,Lima,ana@example.com,1 Elm St,,Boston,MA,02134\r\n"
            "E-18,Bo,Chen,,9 Oak Ave,Apt 2,Austin,TX,78701\r\n")
    upload = SimpleUploadedFile("hr.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:gift_recipients"), {"name": "HR", "file": upload})
    recipient_list = RecipientList.objects.get()
    assert recipient_list.status == RecipientList.Status.READY
    assert list(recipient_list.recipients.values_list("row", "name", "email", "address_line2", "zip")) == [
        (2, "Ana Lima", "ana@example.com", "", "02134"), (3, "Bo Chen", "", "Apt 2", "78701")]
    assert recipient_list.notes == ["Column A ('Employee ID') was ignored: it is not one we use."]
    page = client.get(response.url).content.decode()
    assert "2 recipients, ready" in page
    assert "Column A (&#x27;Employee ID&#x27;) was ignored" in page


def test_import_progress_is_written_while_rows_are_checked(acme):
    """The task writes progress every 100 rows, so the bar moves during a long import."""
    from shop.services.gifts import recipients as gift_recipients

    org, _design = acme
    recipient_list = RecipientList.objects.create(organisation=org, name="Big", status=RecipientList.Status.PROCESSING)
    recipient_list.source.save("r.csv", ContentFile(to_csv(recipient_rows(350)).encode()))
    seen = []
    original = gift_recipients.read_recipients

    def spy(data, progress, **kwargs):
        def record(done, total):
            progress(done, total)
            seen.append(RecipientList.objects.values_list("processed_rows", "total_rows").get(pk=recipient_list.pk))
        return original(data, progress=record, **kwargs)

    gift_recipients.read_recipients = spy
    try:
        gift_recipients.recipient_list_import(recipient_list.pk)
    finally:
        gift_recipients.read_recipients = original
    assert seen == [(100, 350), (200, 350), (300, 350), (350, 350)]
    gift_recipients.recipient_list_import(recipient_list.pk)  # a retried task imports nothing twice
    assert recipient_list.recipients.count() == 350


def test_the_template_downloads_and_imports_cleanly(client, acme):
    from shop.services.recipients_import import parse_recipients

    org, _design = acme
    client.force_login(member_of(org))
    response = client.get(reverse("shop:gift_recipients_template"))
    assert response["Content-Disposition"] == 'attachment; filename="recipients-template.csv"'
    assert len(parse_recipients(response.content)) == 1


# -- ordering with a list --------------------------------------------------------------------


def test_an_order_to_a_list_has_one_box_each_and_tax_by_each_recipients_state(acme):
    org, design = acme
    TaxRateFactory(state="FL", rate=D("0.0600"))
    TaxRateFactory(state="NY", rate=D("0.0400"), applies_to_shipping=True)
    recipient_list = recipient_list_for(org, states=("FL", "NY", "TX"), count=30)  # 10 boxes to each state
    order = gift_order_place(design, shipping_mode="per_recipient", recipient_list=recipient_list, in_hand_date=LATER,
                             actor=None, today=TODAY)
    # Per box 10.00 + 20.00 = 30.00; 30 boxes 900.00, 5% off (25+ tier, none set here) -> 900.00; shipping 12 x 30 = 360.
    assert order.quantity == 30 and order.boxes_subtotal == D("900.00") and order.shipping == D("360.00")
    # FL: 10 boxes 300.00 x 6% = 18.00 (shipping untaxed); NY: (300.00 + 120.00) x 4% = 16.80; TX: no rate.
    assert order.tax == D("34.80") and order.total == D("1294.80")


def test_the_order_form_needs_a_list_or_a_whole_bulk_address(client, acme):
    org, design = acme
    client.force_login(member_of(org))
    url = reverse("shop:gift_design_order", args=[design.pk])
    no_list = client.post(url, {"shipping": "per_recipient", "in_hand_date": LATER.isoformat()})
    assert no_list.status_code == 400 and "Choose the recipient list" in no_list.content.decode()
    no_zip = client.post(url, {"shipping": "bulk", "quantity": 5, "ship_to_name": "Pat", "ship_to_line1": "1 Way",
                               "ship_to_city": "Tampa", "ship_to_state": "FL", "ship_to_zip": "3360",
                               "in_hand_date": LATER.isoformat()})
    assert no_zip.status_code == 400 and "5-digit ZIP" in no_zip.content.decode()
    other_org_list = recipient_list_for(Organisation.objects.create(name="Beta", slug="beta"))
    theirs = client.post(url, {"shipping": "per_recipient", "recipient_list": other_org_list.pk,
                               "in_hand_date": LATER.isoformat()})
    assert theirs.status_code == 400 and GiftOrder.objects.count() == 0


# -- production to delivery ------------------------------------------------------------------


def test_a_list_order_ships_per_recipient_with_tracking_then_is_delivered(acme, django_capture_on_commit_callbacks):
    org, design = acme
    buyer = member_of(org)
    buyer.email = "buyer@acme.example"
    buyer.save()
    order = approved_order(design, shipping_mode="per_recipient", recipient_list=recipient_list_for(org, count=3),
                           actor=buyer)
    with pytest.raises(gift_fulfilment.FulfilmentError, match="once it is in production"):
        gift_fulfilment.shipment_record(order.pk, carrier="UPS", tracking_number="1Z1", recipient_row=2)
    gift_fulfilment.order_start_production(order.pk, None)

    gift_fulfilment.shipment_record(order.pk, carrier="UPS", tracking_number="1Z1", recipient_row=2)
    with pytest.raises(gift_fulfilment.FulfilmentError, match="already has a shipment"):
        gift_fulfilment.shipment_record(order.pk, carrier="UPS", tracking_number="1Z9", recipient_row=2)
    bad = b"row,carrier,tracking_number\n3,UPS,1Z3\n9,UPS,1Z9\n4,,\n"
    with pytest.raises(gift_fulfilment.FulfilmentError) as caught:
        gift_fulfilment.shipments_import_tracking(order.pk, bad)
    assert "line 3: no recipient in row “9”" in caught.value.message and "line 4:" in caught.value.message
    assert Shipment.objects.count() == 1  # all or nothing

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert gift_fulfilment.shipments_import_tracking(order.pk, b"row,carrier,tracking_number\n3,UPS,1Z3\n4,USPS,94\n") == 2
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.SHIPPED and order.shipped_at is not None
    assert [m.to for m in mail.outbox] == [["buyer@acme.example"]] and "3 parcels" in mail.outbox[0].body

    gift_fulfilment.order_mark_delivered(order.pk)
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.DELIVERED
    assert not order.shipments.filter(delivered_at__isnull=True).exists()


def test_a_bulk_order_ships_in_parcels_up_to_its_quantity(acme):
    _org, design = acme
    order = approved_order(design, quantity=10, shipping_mode="bulk", ship_to=bulk_address())
    gift_fulfilment.order_start_production(order.pk, None)
    gift_fulfilment.shipment_record(order.pk, carrier="FedEx", tracking_number="77", boxes=6)
    with pytest.raises(gift_fulfilment.FulfilmentError, match="Ship between 1 and 4 boxes"):
        gift_fulfilment.shipment_record(order.pk, carrier="FedEx", tracking_number="78", boxes=5)
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.IN_PRODUCTION
    gift_fulfilment.shipment_record(order.pk, carrier="FedEx", tracking_number="78", boxes=4)
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.SHIPPED


def test_staff_step_through_the_order_page_and_members_see_tracking(client, acme):
    org, design = acme
    member = member_of(org)
    order = approved_order(design, quantity=5, shipping_mode="bulk", ship_to=bulk_address())
    client.force_login(UserFactory(roles=[SHOP_STAFF]))
    step = lambda action, **data: client.post(reverse("shop:gift_order_step", args=[order.number, action]), data)  # noqa: E731
    step("delivered")  # too early: refused with a message, nothing changes
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.APPROVED
    step("production")
    assert step("shipment", carrier="UPS", tracking_number="", boxes=5).status_code == 400
    step("shipment", carrier="UPS", tracking_number="1ZTRACK", boxes=5)
    step("delivered")
    order.refresh_from_db()
    assert order.status == GiftOrder.Status.DELIVERED
    client.force_login(member)
    page = client.get(reverse("shop:gift_order", args=[order.number])).content.decode()
    assert "1ZTRACK" in page and "Delivered" in page and page.count("<h2>Shipments</h2>") == 1
    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip().startswith(f"Gift order {order.number} ")


# -- exports and the certificate -------------------------------------------------------------


def test_packing_list_and_labels_have_one_row_per_recipient_with_their_message(client, acme):
    org, design = acme
    recipient_list = recipient_list_for(org, count=3)
    GiftRecipient.objects.filter(recipient_list=recipient_list, row=3).update(message="Welcome aboard, Sam!")
    GiftRecipient.objects.filter(recipient_list=recipient_list, row=4).update(company="=HYPERLINK(\"x\")")
    order = approved_order(design, shipping_mode="per_recipient", recipient_list=recipient_list)
    client.force_login(UserFactory(roles=[SHOP_STAFF]))
    packing = list(csv.DictReader(io.StringIO(
        client.get(reverse("shop:gift_order_export", args=[order.number, "packing-list"])).content.decode())))
    assert [r["parcel"] for r in packing] == ["R2", "R3", "R4"]
    assert [r["card_message"] for r in packing] == ["Thank you for a great year", "Welcome aboard, Sam!",
                                                    "Thank you for a great year"]
    assert packing[0]["contents"] == "1 × " + order.lines.get().title
    assert packing[2]["company"].startswith("'=")  # a spreadsheet will not run it
    labels = list(csv.DictReader(io.StringIO(
        client.get(reverse("shop:gift_order_export", args=[order.number, "labels"])).content.decode())))
    assert [(r["reference"], r["zip"], r["boxes"]) for r in labels] == [
        (f"{order.number}-R{n}", "62701", "1") for n in (2, 3, 4)]


def test_the_impact_certificate_counts_boxes_and_hours_and_names_nobody(client, acme):
    org, design = acme
    recipient_list = recipient_list_for(org, count=35)
    order = gift_order_place(design, shipping_mode="per_recipient", recipient_list=recipient_list, in_hand_date=LATER,
                             actor=None, today=TODAY)
    member = member_of(org)
    client.force_login(member)
    url = reverse("shop:gift_order_certificate", args=[order.number])
    assert client.get(url).status_code == 404  # not paid yet
    proof_upload(order.pk, proof_file("p.png", proof_image()), None)
    proof_review(order.pk, approve=True, comment="", actor=None)
    from shop.services.gifts.orders import invoice_mark_paid

    invoice_mark_paid(order.invoice.pk, None)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(url).content)).pages).split())
    # 35 boxes x (3.50 candle + 4.00 assembly) = 262.50 in wages; / 17.50 an hour = 15.0 hours
    assert "35 gift boxes" in text and "15.0 hours of paid work" in text and "$262.50" in text
    assert "Recipient" not in text and "Springfield" not in text
    client.force_login(member_of(Organisation.objects.create(name="Beta", slug="beta")))
    assert client.get(url).status_code == 404


# -- people ----------------------------------------------------------------------------------


def test_an_admin_invites_by_email_and_only_the_addressee_can_accept(client, acme, django_capture_on_commit_callbacks):
    org, _design = acme
    admin, plain = member_of(org, "admin"), member_of(org)
    client.force_login(plain)
    assert client.post(reverse("shop:gift_members", args=[org.slug]), {"email": "x@y.example", "role": "member"}).status_code == 400
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("shop:gift_members", args=[org.slug]), {"email": "New.Person@Acme.example", "role": "member"})
    invitation = OrganisationInvitation.objects.get()
    assert mail.outbox[-1].to == ["new.person@acme.example"]
    link = re.search(r"http\S+/gifts/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else "/" + link.split("/", 3)[3]

    client.force_login(UserFactory(email="someone.else@example.org"))
    refused = client.post(path)
    assert refused.status_code == 400 and "another e-mail address" in refused.content.decode()
    newcomer = UserFactory(email="new.person@acme.example")
    client.force_login(newcomer)
    assert client.post(path).status_code == 302
    assert OrganisationMember.objects.filter(organisation=org, user=newcomer, role="member").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert client.get(path).status_code == 404  # used


def test_the_last_administrator_cannot_be_removed(acme):
    org, _design = acme
    admin = member_of(org, "admin")
    own = OrganisationMember.objects.get(user=admin)
    with pytest.raises(organisations.MembershipError, match="at least one administrator"):
        organisations.member_remove(org, own.pk, admin)
    other = member_of(org)
    organisations.member_remove(org, OrganisationMember.objects.get(user=other).pk, admin)
    assert list(OrganisationMember.objects.values_list("user", flat=True)) == [admin.pk]


# -- the wall between organisations ----------------------------------------------------------


def gift_routes():
    """Every gift URL pattern that names an object (design, order, list, organisation…)."""
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)
    return [r for r in walk(get_resolver().url_patterns) if r.startswith("gifts/") and "<" in r]


def test_a_member_of_another_organisation_reaches_nothing_of_acmes(client, acme):
    org, design = acme
    owner = member_of(org, "admin")
    recipient_list = recipient_list_for(org)
    order = approved_order(design, quantity=5, shipping_mode="bulk", ship_to=bulk_address())
    proof = order.proofs.get()
    invitation = OrganisationInvitation.objects.create(organisation=org, email="someone@acme.example")
    values = {"design_id": design.pk, "number": order.number, "proof_id": proof.pk, "list_id": recipient_list.pk,
              "slug": org.slug, "member_id": OrganisationMember.objects.get(user=owner).pk,
              "invitation_id": invitation.pk}
    outsider = member_of(Organisation.objects.create(name="Beta", slug="beta"), "admin")
    client.force_login(outsider)
    checked = 0
    for route in gift_routes():
        if "<str:token>" in route:
            continue  # the secret link itself is the key; accepting is tested above
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
        for method in (client.get, client.post):
            status = method(path).status_code
            assert status in (403, 404, 405), f"{method.__name__.upper()} {path} answered {status}"
        checked += 1
    assert checked >= 20
    assert OrganisationMember.objects.filter(organisation=org).count() == 1
    assert GiftDesign.objects.filter(organisation=org).count() == 1
    assert not OrganisationInvitation.objects.filter(organisation=org).exclude(pk=invitation.pk).exists()


def test_the_pipeline_groups_by_stage_and_flags_overdue_proofs_and_dates_at_risk(acme, django_capture_on_commit_callbacks):
    from shop.selectors.gifts.orders import gift_pipeline

    org, design = acme
    buyer = member_of(org)
    owed = gift_order_place(design, 5, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER, actor=buyer,
                            today=TODAY)
    GiftOrder.objects.filter(pk=owed.pk).update(created_at=owed.created_at - timedelta(days=7))
    tight = gift_order_place(design, 5, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER, actor=buyer,
                             today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        proof_upload(tight.pk, proof_file("p.png", proof_image()), None)
    assert mail.outbox[-1].subject == f"Your proof is ready: gift order {tight.number}"  # the client is told

    stages = dict(gift_pipeline(today=LATER - timedelta(days=3)))
    by_number = {o.number: o for orders in stages.values() for o in orders}
    assert "proof overdue" in by_number[owed.number].flags
    assert by_number[tight.number].flags == ["in-hand date at risk"]  # 3 days left, 10 working days needed
    assert [o.number for o in stages["Proof ready for review"]] == [tight.number]
    fresh = dict(gift_pipeline(today=timezone_today()))
    assert {o.number: o.flags for orders in fresh.values() for o in orders}[tight.number] == []


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def test_shop_staff_invite_a_new_clients_first_administrator_from_the_admin(client, django_capture_on_commit_callbacks):
    org = Organisation.objects.create(name="Newco", slug="newco")
    client.force_login(UserFactory(roles=[SHOP_STAFF], is_staff=True))
    url = reverse("admin:shop_organisation_change", args=[org.pk])
    form = {"name": "Newco", "slug": "newco", "payment_terms": "card", "billing_contact": "", "billing_email": "",
            "billing_address": "",
            "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
            "invitations-TOTAL_FORMS": "1", "invitations-INITIAL_FORMS": "0",
            "invitations-0-email": "boss@newco.example", "invitations-0-role": "admin"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = OrganisationInvitation.objects.get(organisation=org)
    assert invitation.role == "admin" and mail.outbox[-1].to == ["boss@newco.example"]
