"""A signed-in customer's address book: list, add, make one the default, remove."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shop.forms.addresses import AddressForm
from shop.platform.errors import DomainError
from shop.selectors.addresses import addresses_for
from shop.services.addresses import AddressDetails, address_add, address_remove as remove, address_set_default


@login_required
def address_book(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "make_default"}
        try:
            address_add(request.user, AddressDetails(**data), default=form.cleaned_data["make_default"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Address saved.")
            return redirect("shop:addresses")
    return render(request, "shop/addresses.html", {"addresses": addresses_for(request.user), "form": form},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def address_default(request, address_id):
    try:
        address_set_default(request.user, address_id)
    except DomainError as error:
        messages.error(request, error.message)
        return render(request, "shop/addresses.html", {"addresses": addresses_for(request.user), "form": AddressForm()},
                      status=404)
    messages.success(request, "Default address changed.")
    return redirect("shop:addresses")


@require_POST
@login_required
def address_remove(request, address_id):
    try:
        remove(request.user, address_id)
    except DomainError as error:
        messages.error(request, error.message)
        return render(request, "shop/addresses.html", {"addresses": addresses_for(request.user), "form": AddressForm()},
                      status=404)
    messages.success(request, "Address removed.")
    return redirect("shop:addresses")
