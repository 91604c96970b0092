"""The public gift catalogue (/gifts/boxes/): classic boxes with contents and price, the volume
tiers, lead times and an instant quote, for visitors without an account."""
from django.shortcuts import render

from shop.forms.gifts import PublicQuoteForm
from shop.platform import page_cache
from shop.platform.errors import DomainError
from shop.platform.page_cache import CATALOG, GIFTS, Fragment
from shop.selectors.gifts.catalogue import lead_times, public_classic_box, public_classic_boxes
from shop.selectors.pricing import volume_tier_rows
from shop.services.gifts.quote import classic_quote

BOXES = Fragment("gift-boxes", areas=(CATALOG, GIFTS))  # prices are the sizes', products' and tiers'


def _boxes_fragment() -> dict:
    boxes = public_classic_boxes()
    html = page_cache.render("shop/gifts/_boxes.html",
                             {"boxes": boxes, "tiers": volume_tier_rows(), **lead_times()})
    return {"html": html, "choices": [(box.slug, box.name) for box in boxes]}


def gift_boxes(request):
    """The catalogue (the cached shared part) and, when asked, a quote for a box and quantity
    by the same calculation as a member's design (``classic_quote``). A GET only reads."""
    shared = page_cache.cached(BOXES, _boxes_fragment)
    asked = "box" in request.GET
    form = PublicQuoteForm(request.GET if asked else None, initial={"quantity": 25})
    form.fields["box"].choices = shared["choices"]
    quote, box, status = None, None, 200
    if asked:
        if form.is_valid():
            box = public_classic_box(form.cleaned_data["box"])
            try:
                quote = classic_quote(box, form.cleaned_data["quantity"], form.cleaned_data["shipping"],
                                      form.cleaned_data["state"] or None) if box else None
            except DomainError as error:
                form.add_error(None, error.message)
        if quote is None:
            status = 400
    context = {"catalogue": page_cache.for_visitor(request, shared["html"]), "form": form, "quote": quote, "box": box}
    return render(request, "shop/gifts/boxes.html", context, status=status)
