from django import forms

from shop.models import BoxSize, ClassicBox, GiftDesign, PaletteColour, ProductVariant
from shop.models.rates import US_STATES


class NewDesignForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, empty_label=None)
    name = forms.CharField(max_length=120, initial="New gift box")
    size = forms.ModelChoiceField(queryset=BoxSize.objects.all(), empty_label=None)
    start_from = forms.ModelChoiceField(queryset=ClassicBox.objects.filter(active=True), required=False,
                                        empty_label="An empty box", label="Start from")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        from shop.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class DesignItemForm(forms.Form):
    variant = forms.ModelChoiceField(
        queryset=ProductVariant.objects.filter(product__is_active=True, product__gift_slots__gt=0).select_related("product"),
        label="Item",
    )
    quantity = forms.IntegerField(min_value=0, max_value=20, initial=1, help_text="0 takes it out of the box.")


class DesignDetailsForm(forms.ModelForm):
    class Meta:
        model = GiftDesign
        fields = ["name", "size", "ribbon", "tissue", "initials", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 300, "data-counter": "message-count"})}
        help_texts = {"initials": "1 to 3 letters for the monogram.", "message": "Up to 300 characters on the card."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ribbon"].queryset = PaletteColour.objects.filter(active=True, use__in=["ribbon", "both"])
        self.fields["tissue"].queryset = PaletteColour.objects.filter(active=True, use__in=["tissue", "both"])

    def clean_initials(self):
        return self.cleaned_data["initials"].upper()

    def clean(self):
        data = super().clean()
        size = data.get("size")
        if size is not None and self.instance.pk:
            from shop.services.gifts import design_slots_used

            used = design_slots_used(self.instance)
            if used > size.slots:
                self.add_error("size", f"The items take {used} slots; the {size.name.lower()} box has {size.slots}.")
        return data


class LogoForm(forms.Form):
    logo = forms.FileField(help_text="PNG, JPEG or SVG, up to 5 MB; at least 300 px on the short side.")


class QuoteForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=5000, initial=25)
    shipping = forms.ChoiceField(choices=[("per_recipient", "To each recipient"), ("bulk", "One bulk shipment")])
    state = forms.ChoiceField(choices=[("", "No sales tax state")] + US_STATES, required=False, label="Ship to state")


class GiftOrderForm(QuoteForm):
    in_hand_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Needed in hand by")


class ProofReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve the proof"), ("changes", "Ask for changes")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class ProofUploadForm(forms.Form):
    file = forms.FileField(help_text="An image or PDF of the finished box.")
