from django import forms


class RestockRequestForm(forms.Form):
    """'E-mail me when it's back' for one of a product's sold-out options."""

    variant = forms.TypedChoiceField(label="Option", coerce=int)
    email = forms.EmailField(label="Your e-mail", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}))

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "restock-%s"
        sold_out = [v for v in product.variants if v.stock <= 0]  # a ProductPage (shop.selectors.catalog)
        self.fields["variant"].choices = [(v.pk, v.label or "Standard") for v in sold_out]
        if len(sold_out) == 1:
            self.fields["variant"].widget = forms.HiddenInput()
            self.fields["variant"].initial = sold_out[0].pk

    @property
    def sold_out_names(self) -> list[str]:
        return [label for _, label in self.fields["variant"].choices]

    @property
    def offered(self) -> bool:
        return bool(self.fields["variant"].choices)
