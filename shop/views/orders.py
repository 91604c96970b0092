from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from shop.platform.security import private_page
from shop.selectors.impact import order_hours_funded
from shop.selectors.orders import order_for_customer, order_from_token, orders_for_customer


@login_required
def order_list(request):
    return render(request, "shop/order_list.html", {"orders": orders_for_customer(request.user)})


@login_required
def order_detail(request, number):
    order = order_for_customer(request.user, number)
    if order is None:
        raise Http404("No such order")
    return render(request, "shop/order_detail.html", {"order": order, "token": None, "hours": order_hours_funded(order)})


@never_cache
@private_page
def order_by_link(request, token):
    """The confirmation page, and the guest's link from the e-mail."""
    order = order_from_token(token)
    if order is None:
        raise Http404("No such order")
    return render(request, "shop/order_detail.html", {"order": order, "token": token, "hours": order_hours_funded(order)})


@never_cache
@private_page
def order_status(request, token):
    order = order_from_token(token)
    if order is None:
        return JsonResponse({"error": "No such order."}, status=404)
    return JsonResponse({"number": order.number, "state": order.state, "paid": order.is_paid})
