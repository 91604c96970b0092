import secrets
from base64 import b32encode
from decimal import Decimal

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt, encrypt
from django.contrib.auth.models import Group

from shop.models import Category, Order, OrderLine, Product, ProductVariant, ShippingMethod, TaxRate, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda u: u.username)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=name)[0])  # a flushed test database has none
            self.is_staff = True
        if create:
            self.save()

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """An authenticator app and recovery codes: by default for those who must use them
        (payroll and program staff, superusers); ``mfa=False`` leaves them off, ``mfa=True``
        gives them to anyone. ``client.force_login`` (tests/conftest.py) counts a login of a
        user with an authenticator app as having entered its code."""
        if not create:
            return
        from shop.platform.mfa import mfa_required

        if extracted if extracted is not None else mfa_required(self):
            add_totp(self)
            add_recovery_codes(self)


def add_totp(user, secret: str | None = None) -> str:
    """Activate an authenticator app (TOTP) for ``user``; returns its base32 secret."""
    secret = secret or b32encode(secrets.token_bytes(20)).decode()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)})
    return secret


def add_recovery_codes(user) -> list[str]:
    """Recovery codes for ``user`` (allauth derives them from a stored seed); returns them."""
    authenticator = Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": encrypt(secrets.token_hex(40)), "used_mask": 0}
    )
    return authenticator.wrap().generate_codes()


def totp_secret(user) -> str:
    return decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])


def login_with_mfa(client, user) -> None:
    """Log ``user`` in on a test client as after password and second factor (any Client)."""
    from shop.platform.mfa import mark_session_mfa

    client.force_login(user)
    session = client.session
    mark_session_mfa(session, user)
    session.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "Hand-made."
    wage_content = Decimal("5.00")


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    options = factory.LazyFunction(lambda: {"colour": "Indigo"})
    price = Decimal("20.00")
    stock = 10


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod

    name = "Standard shipping"
    kind = ShippingMethod.FLAT
    price = Decimal("6.95")
    free_over = Decimal("75.00")


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate
        django_get_or_create = ("state",)

    state = "FL"
    rate = Decimal("0.0600")


class OrderFactory(factory.django.DjangoModelFactory):
    """A placed order with one line (20.00 + 6% tax, flat shipping), pending unless told."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"buyer{n}@example.org")
    shipping_method_name = "Standard shipping"
    ship_name = "Casey Buyer"
    ship_line1 = "1 Main Street"
    ship_city = "Tampa"
    ship_state = "FL"
    ship_postal_code = "33602"
    subtotal = Decimal("20.00")
    shipping = Decimal("6.95")
    tax = Decimal("1.20")
    total = Decimal("28.15")

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if create and not extracted:
            variant = VariantFactory(price=Decimal("20.00"))
            OrderLine.objects.create(
                order=self, product=variant.product, variant=variant, title=variant.product.name, sku=variant.sku,
                unit_price=Decimal("20.00"), quantity=1, wage_content=variant.product.wage_content,
                line_total=Decimal("20.00"), tax=Decimal("1.20"),
            )


def bulk_address(state: str = "FL"):
    from shop.services.gifts.orders import ShipTo

    return ShipTo(name="Pat Receiver", company="Acme Demo Corp", line1="1 Harbor Way", city="Tampa", state=state,
                  zip="33602")


def recipient_list_for(organisation, states=("FL",), count: int | None = None):
    """A checked (ready) recipient list: ``count`` recipients cycling through ``states``."""
    from shop.models import GiftRecipient, RecipientList

    count = count or len(states)
    recipient_list = RecipientList.objects.create(organisation=organisation, name="Clients", source="recipients.csv",
                                                  status=RecipientList.Status.READY, total_rows=count,
                                                  processed_rows=count)
    GiftRecipient.objects.bulk_create(
        GiftRecipient(recipient_list=recipient_list, row=n + 2, name=f"Recipient {n}", address_line1=f"{n} Main St",
                      city="Springfield", state=states[n % len(states)], zip="62701")
        for n in range(count)
    )
    return recipient_list


# A minimal but well-formed PDF: what a real proof starts and ends with.
PROOF_PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
             b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def proof_image(fmt: str = "PNG", size=(40, 30)) -> bytes:
    """A real PNG or JPEG (Pillow-drawn), as a proof photo would be."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (122, 46, 58)).save(buffer, format=fmt)
    return buffer.getvalue()


def proof_file(name: str = "proof.pdf", content: bytes = PROOF_PDF):
    from django.core.files.base import ContentFile

    return ContentFile(content, name=name)
