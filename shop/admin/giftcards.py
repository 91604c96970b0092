"""Gift cards, read-only: made, issued, redeemed and given back only by
``shop/services/giftcards.py``. The code is never shown (its last four only); the balance is
the ledger's sum."""
from django.contrib import admin

from shop.admin.base import ReadOnlyAdmin, ReadOnlyInline
from shop.models import GiftCard, GiftCardEntry
from shop.selectors.giftcards import balance


class GiftCardEntryInline(ReadOnlyInline):
    model = GiftCardEntry
    fk_name = "card"
    fields = readonly_fields = ("created_at", "kind", "amount", "order", "refund", "note")
    verbose_name_plural = "balance ledger"


@admin.register(GiftCard)
class GiftCardAdmin(ReadOnlyAdmin):
    list_display = ("masked", "state", "amount", "order", "deliver_on", "emailed_at")
    list_filter = ("state", ("emailed_at", admin.EmptyFieldListFilter))
    search_fields = ("last4", "order__number", "buyer_email", "recipient_email")
    fields = readonly_fields = ("masked", "state", "amount", "current_balance", "product", "order", "buyer_email",
                                "recipient_name", "recipient_email", "message", "deliver_on", "issued_at", "emailed_at",
                                "created_at")
    inlines = [GiftCardEntryInline]

    @admin.display(description="code")
    def masked(self, obj):
        return obj.masked

    @admin.display(description="balance")
    def current_balance(self, obj):
        return balance(obj)


@admin.register(GiftCardEntry)
class GiftCardEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "card", "kind", "amount", "order")
    list_filter = ("kind",)
    search_fields = ("card__last4", "order__number")
    list_select_related = ("card", "order")
    fields = readonly_fields = ("card", "kind", "amount", "order", "payment", "refund", "key", "note", "created_at")
