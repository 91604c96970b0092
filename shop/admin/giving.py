"""Giving in the Django admin, for shop staff (by role: the giving models need no model permissions).

Everything here is read-only but a donor's name and address: gifts, monthly gifts and
receipts change only through their services (the staff giving pages refund, correct and
re-send; donors change their own monthly gifts), so Stripe, the receipt sequence and the
ledger stay in step. A receipt is never edited or deleted; nothing here can delete.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from shop.admin.base import ReadOnlyAdmin, TabularInline
from shop.models import Donation, Donor, Payment, Receipt, RecurringGift, StatementRun, YearEndStatement
from shop.platform.roles import SHOP_STAFF, user_has_role


class GivingAdmin(ReadOnlyAdmin):
    """Shop staff (and superusers) may look; nobody adds, changes or deletes here."""

    def has_view_permission(self, request, obj=None):
        return user_has_role(request.user, SHOP_STAFF)


class DonationInline(TabularInline):
    model = Donation
    fk_name = "donor"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "paid_at", "fund", "total", "status")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return user_has_role(request.user, SHOP_STAFF)


class DonationPaymentInline(DonationInline):
    """The gift's payment record (its Stripe ids and status), read-only."""

    model = Payment
    fk_name = "donation"
    fields = readonly_fields = ("kind", "stripe_payment_intent_id", "stripe_invoice_id", "amount", "status", "last_error",
                                "created_at")
    show_change_link = False


@admin.register(Donor)
class DonorAdmin(GivingAdmin):
    list_display = ("name", "email", "city", "state", "created_at")
    search_fields = ("name", "email")
    fields = ("email", "name", "address_line1", "address_line2", "city", "state", "postal_code", "created_at")
    readonly_fields = ("email", "created_at")  # the e-mail is how a donor's account finds the gifts
    inlines = [DonationInline]

    def has_change_permission(self, request, obj=None):
        return user_has_role(request.user, SHOP_STAFF)


@admin.register(Donation)
class DonationAdmin(GivingAdmin):
    list_display = ("number", "donor_name", "fund", "total", "status", "paid_at", "monthly")
    list_filter = ("status", "fund", ("recurring", admin.EmptyFieldListFilter), "anonymous")
    search_fields = ("number", "donor_name", "donor__email", "payments__stripe_payment_intent_id", "payments__stripe_invoice_id")
    date_hierarchy = "paid_at"
    readonly_fields = ("number", "staff_page", "created_at")
    inlines = [DonationPaymentInline]

    @admin.display(boolean=True, description="Monthly")
    def monthly(self, obj):
        return obj.recurring_id is not None

    @admin.display(description="Refund, correct or re-send")
    def staff_page(self, obj):
        url = reverse("shop:staff_donation", args=[obj.number])
        return format_html('<a href="{}">Open the gift on the staff giving pages</a>', url)


@admin.register(RecurringGift)
class RecurringGiftAdmin(GivingAdmin):
    list_display = ("number", "donor", "fund", "total", "status", "failed_charges", "created_at")
    list_filter = ("status", "fund")
    search_fields = ("number", "donor__email", "donor__name", "stripe_customer_id", "stripe_subscription_id")
    readonly_fields = ("number", "created_at", "updated_at")


@admin.register(Receipt)
class ReceiptAdmin(GivingAdmin):
    list_display = ("number", "donor_name", "amount", "deductible", "received_on", "issued_at", "void")
    list_filter = ("year", ("voided_at", admin.EmptyFieldListFilter))
    search_fields = ("number", "donor_name", "donation__number")

    @admin.display(boolean=True, description="Void")
    def void(self, obj):
        return obj.voided_at is not None


@admin.register(StatementRun)
class StatementRunAdmin(GivingAdmin):
    list_display = ("year", "status", "done", "total", "sent", "started_by", "started_at", "finished_at")
    list_filter = ("status", "year")


@admin.register(YearEndStatement)
class YearEndStatementAdmin(GivingAdmin):
    list_display = ("year", "donor", "gifts", "total", "deductible", "sent_at")
    list_filter = ("year",)
    search_fields = ("donor__email", "donor__name")
