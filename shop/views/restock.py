"""'E-mail me when it's back' on a product page: POST only, under the ``restock_request``
rate limits (it takes a typed address), one request per address and option."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shop.forms.restock import RestockRequestForm
from shop.platform import ratelimit
from shop.platform.ratelimit import RateLimited
from shop.selectors.catalog import product_detail
from shop.services.restock import RestockError, restock_request_add
from shop.views.catalog import product_page
from shop.views.limits import too_many


@require_POST
def restock_request(request, slug):
    item = product_detail(slug)
    if item is None:
        raise Http404("No such product")
    form = RestockRequestForm(request.POST, product=item)
    if form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        try:
            ratelimit.hit(request, "restock_request", email=email)
        except RateLimited as error:
            return too_many(request, error)
        try:
            restock_request_add(form.cleaned_data["variant"], email)
        except RestockError as error:
            form.add_error(None, error.message)
        else:
            # The same answer for a new and a repeated request: nobody learns what another asked for.
            messages.success(request, f"Thank you: we will e-mail {email} once, when it is back in stock.")
            return redirect("shop:product", slug=item.slug)
    return product_page(request, item, restock_form=form, status=400)
