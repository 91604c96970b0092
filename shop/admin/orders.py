"""Shop orders: lines, payments and refunds read-only; shipping, pick-up and refunds go through the services."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from shop.admin.base import ModelAdmin, ReadOnlyInline
from shop.admin.discounts import OrderDiscountInline
from shop.platform.errors import DomainError
from shop.forms.checkout import RefundForm, ShipOrderForm
from shop.models import (
    Order,
    OrderLine,
    Payment,
    Refund,
)
from shop.services.orders import order_complete, order_mark_picked_up, order_mark_shipped
from shop.services.refunds import DEMO_REFUND_NOTE, refund_create


class PaidAmountFilter(admin.SimpleListFilter):
    title = "order total"
    parameter_name = "total"
    RANGES = {
        "under50": ("Under $50", {"total__lt": 50}),
        "50to100": ("$50 to $100", {"total__gte": 50, "total__lt": 100}),
        "100to250": ("$100 to $250", {"total__gte": 100, "total__lt": 250}),
        "250up": ("$250 and over", {"total__gte": 250}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.RANGES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.RANGES:
            return queryset.filter(**self.RANGES[self.value()][1])
        return queryset


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = ("title", "variant_label", "sku", "unit_price", "quantity", "line_total", "discount", "tax", "wage_content")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = ("kind", "stripe_payment_intent_id", "amount", "status", "last_error", "created_at")


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = ("amount", "shipping_amount", "status", "reason", "stripe_refund_id", "created_by", "created_at", "confirmed_at")


@admin.register(Order)
class OrderAdmin(ModelAdmin):
    list_display = ("number", "created_at", "email", "state", "total", "amount_refunded", "shipping_method_name")
    list_filter = ("state", ("created_at", admin.DateFieldListFilter), PaidAmountFilter, "is_pickup")
    date_hierarchy = "created_at"
    search_fields = ("number", "email", "ship_name")
    inlines = [OrderLineInline, OrderDiscountInline, PaymentInline, RefundInline]
    actions = ["mark_picked_up", "mark_completed"]
    change_form_template = "admin/shop/order/change_form.html"
    view_on_site = False  # the order page belongs to the customer

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:order_id>/ship/", self.admin_site.admin_view(self.ship_view), name="shop_order_ship"),
            path("<int:order_id>/refund/", self.admin_site.admin_view(self.refund_view), name="shop_order_refund"),
        ] + super().get_urls()

    def _order_or_deny(self, request, order_id):
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        return order

    def _form_page(self, request, order, form, title, note, button):
        context = {
            **self.admin_site.each_context(request),
            "order": order, "form": form, "title": title, "note": note, "button": button, "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/shop/order/action_form.html", context, status=400 if form.errors else 200)

    def ship_view(self, request, order_id):
        order = self._order_or_deny(request, order_id)
        form = ShipOrderForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                order_mark_shipped(order.pk, form.cleaned_data["carrier"], form.cleaned_data["tracking_number"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Order {order.number} marked shipped; the customer is being e-mailed.")
                return redirect("admin:shop_order_change", order.pk)
        note = "The customer is e-mailed the carrier and tracking number."
        return self._form_page(request, order, form, f"Ship order {order.number}", note, "Mark shipped")

    def refund_view(self, request, order_id):
        order = self._order_or_deny(request, order_id)
        form = RefundForm(request.POST or None, initial={"amount": order.refundable})
        if request.method == "POST" and form.is_valid():
            try:
                refund = refund_create(order.pk, form.cleaned_data["amount"], form.cleaned_data["reason"], request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                cards = order.gift_card_total > 0
                card_note = " The gift cards' share of it was put back onto the cards." if cards else ""
                if refund.payment.gift_card_id is not None and not order.amount_due:
                    self.message_user(request, f"Refund of ${form.cleaned_data['amount']} put back onto the gift cards.")
                elif refund.payment.demo:
                    self.message_user(request, f"Refund of ${refund.amount} recorded. {DEMO_REFUND_NOTE}{card_note}",
                                      level=messages.WARNING)
                elif cards:
                    outcome = ("confirmed by Stripe" if refund.status == Refund.Status.SUCCEEDED
                               else "sent to Stripe; waiting for its confirmation")
                    self.message_user(request, f"Refund of ${form.cleaned_data['amount']}: ${refund.amount} {outcome}."
                                      f"{card_note}")
                else:
                    outcome = ("confirmed by Stripe" if refund.status == Refund.Status.SUCCEEDED
                               else "sent to Stripe; waiting for its confirmation")
                    self.message_user(request, f"Refund of ${refund.amount} {outcome}.")
                return redirect("admin:shop_order_change", order.pk)
        note = (
            "The refund is split across the order lines to the cent and is final when Stripe confirms it. "
            f"Up to ${order.refundable} can be refunded."
        )
        if order.gift_card_total:
            note += (f" Gift cards paid ${order.gift_card_total} of it: the refund is split over the cards and the"
                     " card payment, and the cards' share goes back onto the cards (never paid out).")
        if order.payments.filter(demo=True).exists():
            return self._form_page(request, order, form, f"Refund order {order.number}", f"{DEMO_REFUND_NOTE} {note}",
                                   "Record the refund")
        return self._form_page(request, order, form, f"Refund order {order.number}", note, "Refund through Stripe")

    @admin.action(description="Mark selected local pickups as picked up")
    def mark_picked_up(self, request, queryset):
        self._bulk(request, queryset, order_mark_picked_up, "picked up")

    @admin.action(description="Mark selected fulfilled orders as completed")
    def mark_completed(self, request, queryset):
        self._bulk(request, queryset, order_complete, "completed")

    def _bulk(self, request, queryset, service, done):
        for order in queryset:
            try:
                service(order.pk)
            except DomainError as error:
                self.message_user(request, error.message, level=messages.ERROR)
            else:
                self.message_user(request, f"Order {order.number} {done}.")
