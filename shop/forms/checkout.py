from decimal import Decimal

from django import forms

from shop.models import ShippingMethod
from shop.models.rates import US_STATES
from shop.services.cart import MAX_LINE_QUANTITY
from shop.platform.form_fields import ModelChoiceField, QuickSelect, choices_read
from shop.platform.validators import zip_code


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)


class AddToCartForm(forms.Form):
    variant = forms.TypedChoiceField(label="Option", coerce=int)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY, initial=1)

    def __init__(self, *args, product, **kwargs):
        """``product``: the product page's data (``shop.selectors.catalog.product_detail``)."""
        super().__init__(*args, **kwargs)
        variants = product.variants
        self.fields["variant"].choices = [
            (v.pk, f"{v.label or 'Standard'}{'' if v.in_stock else ' (out of stock)'}") for v in variants
        ]
        if len(variants) == 1:
            self.fields["variant"].widget = forms.HiddenInput()
            self.fields["variant"].initial = variants[0].pk


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label="Quantity", min_value=0, max_value=MAX_LINE_QUANTITY)


class _ShippingChoices:
    """``methods``: the active shipping methods already read, so that showing the form reads
    them no second time (a posted choice is still checked against the database)."""

    def __init__(self, *args, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        if methods is not None:
            choices_read(self.fields["shipping_method"], methods)


class CartEstimateForm(_ShippingChoices, forms.Form):
    """Shipping method and destination state, to show shipping and sales tax before checkout."""

    shipping_method = ModelChoiceField(
        label="Delivery", queryset=ShippingMethod.objects.filter(is_active=True), empty_label=None
    )
    state = forms.ChoiceField(label="Ship to state", choices=[("", "Choose a state")] + US_STATES, required=False,
                              widget=QuickSelect)




class CheckoutForm(_ShippingChoices, forms.Form):
    """Who is buying and where it goes. The address is needed unless it is a local pickup."""

    email = forms.EmailField(label="E-mail")
    name = forms.CharField(label="Full name", max_length=120)
    shipping_method = ModelChoiceField(
        label="Delivery", queryset=ShippingMethod.objects.filter(is_active=True), empty_label=None
    )
    line1 = forms.CharField(label="Address", max_length=200, required=False)
    line2 = forms.CharField(label="Apartment, suite (optional)", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.ChoiceField(label="State", choices=[("", "Choose a state")] + US_STATES, required=False,
                              widget=QuickSelect)
    postal_code = forms.CharField(label="ZIP code", max_length=10, required=False, validators=[zip_code])
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)

    def clean(self):
        data = super().clean()
        method = data.get("shipping_method")
        if method is not None and not method.is_pickup:
            for field in ("line1", "city", "state", "postal_code"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, "This field is required for delivery.")
        return data


class ShipOrderForm(forms.Form):
    carrier = forms.CharField(max_length=60)
    tracking_number = forms.CharField(max_length=80)


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="Amount to refund (USD)", max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(max_length=200, required=False)
