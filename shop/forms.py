from django import forms

from shop.models import ShippingMethod
from shop.models.rates import US_STATES
from shop.services.cart import MAX_LINE_QUANTITY


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)


class AddToCartForm(forms.Form):
    variant = forms.TypedChoiceField(label="Option", coerce=int)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY, initial=1)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        variants = list(product.variants.all())
        self.fields["variant"].choices = [
            (v.pk, f"{v.label or 'Standard'}{'' if v.in_stock else ' (out of stock)'}") for v in variants
        ]
        if len(variants) == 1:
            self.fields["variant"].widget = forms.HiddenInput()
            self.fields["variant"].initial = variants[0].pk


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label="Quantity", min_value=0, max_value=MAX_LINE_QUANTITY)


class CartEstimateForm(forms.Form):
    """Shipping method and destination state, to show shipping and sales tax before checkout."""

    shipping_method = forms.ModelChoiceField(
        label="Delivery", queryset=ShippingMethod.objects.filter(is_active=True), empty_label=None
    )
    state = forms.ChoiceField(label="Ship to state", choices=[("", "Choose a state")] + US_STATES, required=False)
