"""The public pledge page, its thank-you, and businesses' badge pages."""
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from shop.platform import page_cache
from shop.platform.errors import DomainError
from shop.platform.page_cache import PLEDGE, Fragment
from shop.forms.pledge import PledgeForm
from shop.models import Pledge
from shop.platform.security import private_page
from shop.services.pledges import LEARNING_RESOURCES, pledge_count, pledge_take
from shop.views.limits import limited


PLEDGE_PAGE = Fragment("pledge", areas=(PLEDGE,))


@limited("pledge")
def pledge(request):
    if request.method != "POST":  # the same for everyone: the count of pledges and the empty form
        fragment = page_cache.cached(PLEDGE_PAGE, lambda: _pledge_fragment(PledgeForm()))
        return render(request, "shop/pledge/pledge.html", {"fragment": page_cache.for_visitor(request, fragment)})
    form = PledgeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            taken, new = pledge_take(kind=data["kind"], name=data["name"], email=data["email"],
                                     business_name=data["business_name"], city=data["city"], state=data["state"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            request.session["pledge_ack"] = {"new": new, "badge": taken.badge if taken.kind == "business" else None,
                                             "date": taken.created_at.strftime("%B %-d, %Y")}
            return redirect("shop:pledge_thanks")
    return render(request, "shop/pledge/pledge.html",
                  {"fragment": page_cache.for_visitor(request, _pledge_fragment(form))}, status=400)


def _pledge_fragment(form) -> str:
    return page_cache.render("shop/pledge/_pledge.html", {"form": form, "count": pledge_count(),
                                                          "resources": LEARNING_RESOURCES})


@private_page
def pledge_thanks(request):
    ack = request.session.get("pledge_ack")
    if ack is None:
        return redirect("shop:pledge")
    return render(request, "shop/pledge/thanks.html", {"ack": ack, "count": pledge_count(),
                                                       "resources": LEARNING_RESOURCES})


def _business_pledge(badge):
    found = Pledge.objects.filter(badge=badge, kind=Pledge.Kind.BUSINESS).first()
    if found is None:
        raise Http404("No such badge")
    return found


def pledge_badge(request, badge):
    """A business's public badge page: its name and the date, never the person's e-mail."""
    return render(request, "shop/pledge/badge.html", {"pledge": _business_pledge(badge), "count": pledge_count()})


def pledge_badge_svg(request, badge):
    svg = render_to_string("shop/pledge/badge.svg", {"pledge": _business_pledge(badge)})
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
