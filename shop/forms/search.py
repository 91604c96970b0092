"""The catalogue's one search box and its filters (shop.selectors.search), read from the URL.

Only the query can be wrong (too long: its error is shown). A filter or sort that is not one
of ours is no filter (a shared link with a stale or mangled value still shows products), so
junk in the URL never makes a new page."""
import re

from django import forms

from shop.selectors.search import PRICE_BANDS, SORTS

_COLOUR = re.compile(r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$")


def _query(text: str) -> str:
    return " ".join(text.split())


def _colour(text: str) -> str:
    colour = " ".join(text.split()).casefold()
    return colour if len(colour) <= 30 and _COLOUR.match(colour) else ""


def _price(text: str) -> str:
    return text if text in PRICE_BANDS else ""


def _sort(text: str) -> str:
    return text if text in SORTS else "featured"


QUERY_MAX = 100


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=QUERY_MAX)
    colour = forms.CharField(required=False)
    price = forms.CharField(required=False)
    stock = forms.CharField(required=False)
    sort = forms.CharField(required=False)

    def clean_q(self):
        return _query(self.cleaned_data["q"])

    def clean_colour(self):
        return _colour(self.cleaned_data["colour"])

    def clean_price(self):
        return _price(self.cleaned_data["price"])

    def clean_stock(self):
        return self.cleaned_data["stock"] == "1"

    def clean_sort(self):
        return _sort(self.cleaned_data["sort"])

    def criteria(self) -> dict:
        """The normalised filters (defaults when the form is invalid)."""
        self.is_valid()
        data = self.cleaned_data  # the valid fields' values when another is wrong
        return {"query": data.get("q", ""), "colour": data.get("colour", ""), "price": data.get("price", ""),
                "in_stock": data.get("stock", False), "sort": data.get("sort", "featured")}


def quick_criteria(data) -> dict | None:
    """``SearchForm(data).criteria()`` where the form finds ``data`` valid, without making the
    form (copying its fields and cleaning them was an eighth of a cached listing's time); None
    where the form has an error to show (a query over ``QUERY_MAX``, a NUL): make the form then.
    Each value as the form's ``CharField`` reads it: the last one given, stripped."""
    values = {}
    for name in ("q", "colour", "price", "stock", "sort"):
        value = data.get(name)
        value = "" if value is None else str(value).strip()
        if "\x00" in value:
            return None
        values[name] = value
    if len(values["q"]) > QUERY_MAX:
        return None
    return {"query": _query(values["q"]), "colour": _colour(values["colour"]), "price": _price(values["price"]),
            "in_stock": values["stock"] == "1", "sort": _sort(values["sort"])}
