"""The gift card product's form: an amount (fixed, or chosen within the product's bounds), who
gets it and on which day."""
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from shop.platform.form_fields import DateField, DecimalField
from shop.templatetags.money import usd

CHOSEN = "chosen"
LATEST_DAYS = 365  # a card can be sent up to a year ahead


class GiftCardForm(forms.Form):
    amount = forms.ChoiceField(label="Amount", widget=forms.RadioSelect)
    chosen_amount = DecimalField(label="Or your amount (USD)", required=False, max_digits=10, decimal_places=2)
    recipient_name = forms.CharField(label="Recipient's name", max_length=120, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    recipient_email = forms.EmailField(label="Recipient's e-mail", required=False,
                                       help_text="Leave empty to have the card sent to you.",
                                       widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    message = forms.CharField(label="Message", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deliver_on = DateField(label="Send it on", required=False, help_text="Empty: as soon as the order is paid.")

    def __init__(self, *args, product, **kwargs):
        """``product``: the product page's data (``shop.selectors.catalog.product_detail``)."""
        super().__init__(*args, **kwargs)
        self.product = product
        self.variants = {str(v.pk): v for v in product.variants}
        choices = [(str(v.pk), usd(v.price)) for v in product.variants]
        self.low, self.high = product.gift_card_min, product.gift_card_max
        if self.low is not None and self.high is not None:
            choices.append((CHOSEN, f"Another amount ({usd(self.low)} to {usd(self.high)})"))
            self.fields["chosen_amount"].widget.attrs.update({"min": self.low, "max": self.high, "step": "0.01"})
        else:
            del self.fields["chosen_amount"]
        self.fields["amount"].choices = choices
        if choices:
            self.fields["amount"].initial = choices[0][0]

    def clean_deliver_on(self):
        day = self.cleaned_data.get("deliver_on")
        today = timezone.localdate()
        if day is None:
            return today
        if day < today:
            raise forms.ValidationError("Choose today or a day to come.")
        if day > today + timedelta(days=LATEST_DAYS):
            raise forms.ValidationError("A card can be sent up to a year ahead.")
        return day

    def clean(self):
        data = super().clean()
        choice = data.get("amount")
        if choice == CHOSEN:
            value = data.get("chosen_amount")
            if value is None and "chosen_amount" not in self.errors:
                self.add_error("chosen_amount", "Enter the amount.")
            elif value is not None and not (self.low <= value <= self.high):
                self.add_error("chosen_amount", f"Choose an amount from {usd(self.low)} to {usd(self.high)}.")
            data["variant"] = next(iter(self.variants.values()), None)
            data["gift_amount"] = value
        elif choice in self.variants:
            data["variant"], data["gift_amount"] = self.variants[choice], self.variants[choice].price
        if data.get("variant") is None and not self.errors:
            self.add_error("amount", "This gift card cannot be bought just now.")
        return data

    def line(self) -> dict:
        """The cleaned fields as ``shop.services.cart.cart_add_gift_card`` takes them."""
        data = self.cleaned_data
        return {"variant_id": data["variant"].pk, "amount": Decimal(data["gift_amount"]),
                "recipient_name": data.get("recipient_name", ""), "recipient_email": data.get("recipient_email", ""),
                "message": data.get("message", ""), "deliver_on": data["deliver_on"]}
