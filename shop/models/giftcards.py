"""Gift cards: a code, the people it goes to, and its balance ledger.

A card's balance is never a column: it is the sum of its ``GiftCardEntry`` rows (issue +,
redeem -, refund +), which are only ever added (``shop/services/giftcards.py``, under the
card's row lock). The code itself is kept as a keyed hash (what a typed code is looked up
by, unique) and encrypted (so the e-mail can be sent on the chosen date); pages and the
admin show only its last four characters.

A gift card product (``Product.is_gift_card``) is sold like any product; its cart line holds
the amount and the recipient (``CartLine.gift_*``). The cards are made with the order and
issued (an ``issue`` entry) when the order is paid.
"""
from django.db import models

from shop.platform.crypto import EncryptedTextField

from .catalog import MONEY, Product
from .orders import Order, OrderLine
from .payments import Payment, Refund


class GiftCard(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for its order's payment"
        ACTIVE = "active", "Active"
        VOID = "void", "Void (its order was cancelled)"

    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    code = EncryptedTextField(editable=False, help_text="Encrypted; shown only in the e-mail.")
    last4 = models.CharField(max_length=4, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    amount = models.DecimalField(**MONEY, help_text="What it was issued for.")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="gift_cards_sold")
    order_line = models.ForeignKey(OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="gift_cards")
    buyer_email = models.EmailField()
    recipient_name = models.CharField(max_length=120, blank=True)
    recipient_email = models.EmailField(blank=True, help_text="Empty: the card goes to the buyer.")
    message = models.CharField(max_length=300, blank=True)
    deliver_on = models.DateField(help_text="The day the e-mail with the code is sent.")
    issued_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="giftcard_amount_positive")]

    def __str__(self):
        return f"Gift card {self.masked}"

    @property
    def masked(self) -> str:
        return f"••••-••••-••••-{self.last4}"

    @property
    def send_to(self) -> str:
        return self.recipient_email or self.buyer_email


class GiftCardEntry(models.Model):
    """One movement of a card's balance, never changed or deleted. ``key`` makes each posting
    idempotent (``issue:<card>``, ``redeem:<payment>``, ``refund:<refund>``, ``release:<payment>``)."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "Issued"
        REDEEM = "redeem", "Used"
        REFUND = "refund", "Given back"

    card = models.ForeignKey(GiftCard, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(**MONEY, help_text="Onto the card (+) or off it (-).")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=60, unique=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "gift card entries"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="redeem", amount__lt=0) | models.Q(kind__in=("issue", "refund"), amount__gt=0)),
                name="giftcardentry_sign_of_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} on {self.card}"
