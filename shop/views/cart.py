from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shop.forms.checkout import CartEstimateForm, CartQuantityForm
from shop.platform.security import private_page
from shop.selectors.cart import active_shipping_methods, request_cart_lines, summary_of_lines
from shop.selectors.surtax import county_choice
from shop.services.cart import CartError, cart_get_or_create, cart_remove_line, cart_set_quantity

ESTIMATE_SESSION_KEY = "cart_estimate"


@private_page
def cart_detail(request):
    """The cart with shipping and sales tax for the chosen delivery and state. The same few
    queries whatever the number of lines (the header's count comes from the lines read). A GET
    only reads: the estimate comes from the URL (a shared link) or the one last saved."""
    data = request.GET if "shipping_method" in request.GET else request.session.get(ESTIMATE_SESSION_KEY)
    methods = active_shipping_methods()
    return _cart_page(request, CartEstimateForm(data or None, methods=methods), methods)


@private_page
@require_POST
def cart_estimate(request):
    """Remember the delivery and state chosen for the estimate (in the session), then show the cart."""
    methods = active_shipping_methods()
    estimate = CartEstimateForm(request.POST, methods=methods)
    if not estimate.is_valid():
        return _cart_page(request, estimate, methods, status=400)
    request.session[ESTIMATE_SESSION_KEY] = {"shipping_method": estimate.cleaned_data["shipping_method"].pk,
                                             "state": estimate.cleaned_data["state"] or "",
                                             "postal_code": estimate.cleaned_data.get("postal_code") or ""}
    return redirect("shop:cart")


def _cart_page(request, estimate, methods, status=200):
    method = state = None
    postal_code = ""
    if not estimate.is_bound:
        method = methods[0] if methods else None
    elif estimate.is_valid():
        method, state = estimate.cleaned_data["shipping_method"], estimate.cleaned_data["state"] or None
        postal_code = estimate.cleaned_data.get("postal_code") or ""
    county, _ = county_choice(state, postal_code)  # Florida: a ZIP in one county adds its surtax
    summary = summary_of_lines(request_cart_lines(request), method, state, county=county)
    return render(request, "shop/cart.html", {"summary": summary, "estimate": estimate, "cart_count": summary.item_count},
                  status=status)


@require_POST
def cart_line_update(request, line_id):
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a quantity from 0 to 999.")
        return redirect("shop:cart")
    try:
        cart_set_quantity(cart_get_or_create(request), line_id, form.cleaned_data["quantity"])
    except CartError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your cart was updated.")
    return redirect("shop:cart")


@require_POST
def cart_line_remove(request, line_id):
    try:
        cart_remove_line(cart_get_or_create(request), line_id)
    except CartError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The item was removed from your cart.")
    return redirect("shop:cart")
