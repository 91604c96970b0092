"""The public gift catalogue (/gifts/boxes/, and /gifts/ for anyone not in an organisation):
classic boxes with contents and price, the volume tiers, lead times and an instant quote, for
visitors without an account; and "Start an order" (/gifts/start/), which opens the account,
the organisation and its first draft in one step."""
from allauth.account.utils import complete_signup, perform_login
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters

from shop.forms.accounts import SIGNUP_VERIFICATION, SignupForm
from shop.forms.gifts import GiftStartForm, PublicQuoteForm
from shop.platform import page_cache
from shop.platform.errors import DomainError
from shop.platform.page_cache import CATALOG, GIFTS, Fragment
from shop.selectors.gifts.catalogue import lead_times, public_classic_box, public_classic_boxes
from shop.selectors.pricing import volume_tier_rows
from shop.selectors.gifts.members import member_organisations
from shop.services.gifts.designs import design_from_quote
from shop.services.gifts.quote import classic_quote
from shop.services.organisations import organisation_open
from shop.views.limits import allauth_too_many

BOXES = Fragment("gift-boxes", areas=(CATALOG, GIFTS))  # prices are the sizes', products' and tiers'
BOXES_PAGE = Fragment("gift-boxes-page", areas=(CATALOG, GIFTS))  # the catalogue with an empty quote form


def _boxes_fragment() -> dict:
    boxes = public_classic_boxes()
    html = page_cache.render("shop/gifts/_boxes.html",
                             {"boxes": boxes, "tiers": volume_tier_rows(), **lead_times()})
    return {"html": html, "choices": [(box.slug, box.name) for box in boxes]}


def gift_boxes(request):
    """The catalogue (the cached shared part) and, when asked, a quote for a box and quantity
    by the same calculation as a member's design (``classic_quote``). A GET only reads. A
    signed-out visitor's first view (no quote asked) is one cached fragment, form and all."""
    asked = "box" in request.GET
    if not asked and not request.user.is_authenticated:
        page = page_cache.cached(BOXES_PAGE, lambda: _boxes_page(None, page_cache.cached(BOXES, _boxes_fragment)))
        return render(request, "shop/gifts/boxes.html", {"page": page_cache.for_visitor(request, page)})
    shared = page_cache.cached(BOXES, _boxes_fragment)
    quote, box, status = None, None, 200
    form = _quote_form(shared, request.GET if asked else None)
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
    page = _boxes_page(form, shared, quote=quote, box=box, query=request.GET.urlencode() if quote else "",
                       signed_in=request.user.is_authenticated,
                       is_member=bool(member_organisations(request.user)))
    return render(request, "shop/gifts/boxes.html", {"page": page_cache.for_visitor(request, page)}, status=status)


def _quote_form(shared: dict, data) -> PublicQuoteForm:
    form = PublicQuoteForm(data, initial={"quantity": 25})
    form.fields["box"].choices = shared["choices"]
    return form


def _boxes_page(form, shared: dict, *, quote=None, box=None, query: str = "", signed_in: bool = False,
                is_member: bool = False) -> str:
    start = reverse("shop:gift_start") + ("?" + query if query else "")
    return page_cache.render("shop/gifts/_boxes_page.html",
                             {"catalogue": mark_safe(shared["html"]),  # noqa: S308 - our own template's output
                              "form": form or _quote_form(shared, None), "quote": quote, "box": box,
                              "start_url": start, "signed_in": signed_in, "is_member": is_member})


@sensitive_post_parameters("password1", "password2")
def gift_start(request):
    """One form: a visitor's account (the site's sign-up form, so a taken address is answered
    exactly as a new one and its owner is e-mailed), the organisation with them as its
    administrator, and a first draft from the quoted box and quantity. Counted against the
    sign-up limits (allauth's ``signup``). A signed-in person without an organisation fills
    in only the organisation."""
    if member_organisations(request.user):
        messages.info(request, "You already have an organisation: start a box from its page.")
        return redirect("shop:gifts")
    boxes = public_classic_boxes(pictures=False)
    visitor = not request.user.is_authenticated
    initial = {"quantity": 25, "shipping": "per_recipient"}
    initial.update({k: v for k, v in request.GET.items() if k in ("box", "quantity", "shipping", "state")})
    form = GiftStartForm(request.POST or None, boxes=boxes, initial=initial)
    signup = SignupForm(request.POST or None) if visitor else None
    if request.method == "POST":
        if not allauth_ratelimit.consume(request, app="allauth.account", action="signup"):
            return allauth_too_many(request)
        valid = form.is_valid()
        if signup is not None:
            valid = signup.is_valid() and valid
        if valid:
            response = _start(request, form, signup, {box.slug: box for box in boxes})
            if response is not None:
                return response
    context = {"form": form, "signup": signup, "boxes": boxes}
    return render(request, "shop/gifts/start.html", context, status=400 if request.method == "POST" else 200)


WAITING = ("Confirm your address from the e-mail we have just sent, then sign in: your organisation's first box "
           "will be waiting under Corporate gifts. If this address already has an account, the e-mail says how to "
           "sign in instead.")


def _start(request, form, signup, boxes):
    data = form.cleaned_data
    if signup is not None and signup.account_already_exists:
        messages.info(request, WAITING)  # the same words as for a new address
        # The owner is told by e-mail that someone tried; the visitor sees what a new address sees.
        return perform_login(request, None, email_verification=SIGNUP_VERIFICATION, signup=True,
                             email=signup.cleaned_data["email"])
    try:
        with transaction.atomic():
            user = signup.save(request) if signup is not None else request.user
            organisation = organisation_open(data["organisation"], user, billing_contact=data["your_name"],
                                             invoice_terms=data["invoice_terms"])
            design = design_from_quote(organisation, boxes[data["box"]], data["quantity"], data["shipping"],
                                       data["state"], user)
    except DomainError as error:
        form.add_error(None, error.message)
        return None
    if signup is None:
        messages.success(request, f"{organisation.name} is ready, and your first box is below.")
        return redirect("shop:gift_design", design.pk)
    messages.info(request, WAITING)
    return complete_signup(request, user, SIGNUP_VERIFICATION, reverse("shop:gift_design", args=[design.pk]))
