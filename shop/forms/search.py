"""The catalogue's one search box and its filters (shop.selectors.search), read from the URL.

Only the query can be wrong (too long: its error is shown). A filter or sort that is not one
of ours is no filter (a shared link with a stale or mangled value still shows products), so
junk in the URL never makes a new page."""
import re

from django import forms

from shop.selectors.search import PRICE_BANDS, SORTS

_COLOUR = re.compile(r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$")


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    colour = forms.CharField(required=False)
    price = forms.CharField(required=False)
    stock = forms.CharField(required=False)
    sort = forms.CharField(required=False)

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_colour(self):
        colour = " ".join(self.cleaned_data["colour"].split()).casefold()
        return colour if len(colour) <= 30 and _COLOUR.match(colour) else ""

    def clean_price(self):
        return self.cleaned_data["price"] if self.cleaned_data["price"] in PRICE_BANDS else ""

    def clean_stock(self):
        return self.cleaned_data["stock"] == "1"

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "featured"

    def criteria(self) -> dict:
        """The normalised filters (defaults when the form is invalid)."""
        self.is_valid()
        data = self.cleaned_data  # the valid fields' values when another is wrong
        return {"query": data.get("q", ""), "colour": data.get("colour", ""), "price": data.get("price", ""),
                "in_stock": data.get("stock", False), "sort": data.get("sort", "featured")}
