"""Giving circles: the public circles and circle pages (totals and member counts only), joining
(a monthly gift credited to the circle), the leaders' page, and the shop staff's circle report."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from shop.platform import page_cache
from shop.platform.csv_export import csv_response
from shop.platform.page_cache import CIRCLES, Fragment
from shop.platform.errors import DomainError
from shop.views.giving import year_from_request
from shop.forms.circles import CircleJoinForm, InviteForm
from shop.platform.roles import SHOP_STAFF, role_required
from shop.selectors import circles as selectors
from shop.services import circles as service
from shop.services import donations
from shop.services.receipts import fl_disclosure
from shop.platform.ratelimit import RateLimited
from shop.views.limits import invitations_limited, too_many


CIRCLE_LIST = Fragment("circles", areas=(CIRCLES,))
CIRCLE = Fragment("circle", areas=(CIRCLES,))


def circle_list(request):
    year = timezone.localdate().year  # a new year starts every circle at zero, under a new key
    fragment = page_cache.cached(CIRCLE_LIST.at(year), lambda: page_cache.render(
        "shop/circles/_list.html", {"circles": selectors.public_circles(year), "year": year}))
    return render(request, "shop/circles/list.html", {"fragment": page_cache.for_visitor(request, fragment)})


def _public_circle_or_404(slug):
    circle = selectors.public_circle(slug)
    if circle is None:
        raise Http404("No such circle")
    return circle


def circle_detail(request, slug):
    """A circle's public page: what it is, who leads it (first names), its goal, progress and
    member count (cached for everyone); its leaders also see the link to their page."""
    year = timezone.localdate().year
    fragment = page_cache.cached(CIRCLE.at(slug, year), lambda: _circle_fragment(selectors.public_circle(slug), year))
    if fragment is None:
        raise Http404("No such circle")
    context = {"title": fragment["title"], "fragment": page_cache.for_visitor(request, fragment["html"]), "slug": slug,
               "is_leader": selectors.circle_for_leader(request.user, slug) is not None}
    return render(request, "shop/circles/detail.html", context)


def _circle_fragment(circle, year) -> dict | None:
    if circle is None:
        return None
    context = {"circle": circle, "progress": selectors.circle_progress(circle, year),
               "leaders": selectors.leader_first_names(circle)}
    return {"title": circle.name, "html": page_cache.render("shop/circles/_detail.html", context)}


def circle_join(request, slug):
    """Join by starting a monthly gift credited to the circle; then the usual card page."""
    circle = _public_circle_or_404(slug)
    invitation = service.invitation_for_token(circle, request.GET.get("invite", ""))
    initial = {"email": request.user.email if request.user.is_authenticated else "",
               "name": request.user.get_full_name() if request.user.is_authenticated else ""}
    if invitation is not None:
        initial["email"] = invitation.email
    form = CircleJoinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ("fund", "cover_fees", "anonymous", "name", "email", "address_line1", "address_line2", "city", "state",
                  "postal_code", "tribute", "tribute_name", "tribute_notify_email")
        details = donations.GiftDetails(amount=data["amount"], monthly=True, user=request.user,
                                        **{f: data[f] for f in fields})
        try:
            gift = service.circle_join(circle, details)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("shop:donate_pay", token=donations.gift_token(gift))
    inviter = invitation.invited_by.first_name if invitation and invitation.invited_by else ""
    context = {"circle": circle, "form": form, "invitation": invitation, "inviter": inviter,
               "fee_examples": [(a, donations.fee_cover(a)) for a in settings.DONATION_PRESETS],
               "fee_percent": settings.DONATION_FEE_PERCENT, "fee_fixed": settings.DONATION_FEE_FIXED,
               "fl_disclosure": fl_disclosure()}
    return render(request, "shop/circles/join.html", context, status=400 if form.errors else 200)


@login_required
def circle_lead(request, slug):
    """The circle's leaders only (404 for anyone else): members without amounts, and invitations."""
    circle = selectors.circle_for_leader(request.user, slug)
    if circle is None:
        raise Http404("No such circle")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with invitations_limited(request, len(form.cleaned_data["addresses"])):
                result = service.invitations_send(circle, form.cleaned_data["addresses"], request.user)
        except RateLimited as error:
            return too_many(request, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if result.sent:
                messages.success(request, f"Invitation sent to {', '.join(result.sent)}.")
            if result.already_members:
                messages.info(request, f"Already members (not invited again): {', '.join(result.already_members)}.")
            return redirect("shop:circle_lead", slug=slug)
    members = selectors.circle_members(circle)
    context = {"circle": circle, "progress": selectors.circle_progress(circle), "members": members,
               "current": sum(1 for m in members if m.is_member), "form": form,
               "invitations": selectors.circle_invitations(circle)}
    return render(request, "shop/circles/lead.html", context, status=400 if form.errors else 200)


# -- shop staff ---------------------------------------------------------------------------

@role_required(SHOP_STAFF)
def staff_circles(request):
    year = year_from_request(request)
    return render(request, "shop/circles/staff_report.html", {"year": year, "rows": selectors.circle_report(year)})


@role_required(SHOP_STAFF)
def staff_circles_csv(request):
    year = year_from_request(request)
    header = ["circle", "active", "yearly_goal", "raised", "percent_of_goal", "gifts", "refunded", "donors",
              "members", "new_members", "cancelled", "monthly_gifts", "monthly_total", "average_monthly_gift",
              "invited", "invitations_joined", "leaders"]
    rows = []
    for r in selectors.circle_report(year):
        p = r.progress
        rows.append([r.circle.name, "yes" if r.circle.is_active else "no", p.goal, p.raised, p.percent,
                     r.gifts, r.refunded, p.donors, p.members, r.new_members, r.cancelled, r.monthly_gifts,
                     r.monthly_total, r.average_monthly, r.invited, r.joined, "; ".join(r.leaders)])
    return csv_response(f"circles-{year}.csv", header, rows, private=False)
