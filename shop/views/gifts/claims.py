"""Gifts sent by claim link: the member's order form and status page, and the recipient's
claim page (no account: the secret link is the key, guessing it is rate limited)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shop.forms.gifts import ClaimForm, ClaimOrderForm
from shop.platform import csv_export, ratelimit
from shop.platform.errors import DomainError
from shop.platform.ratelimit import RateLimited
from shop.selectors.gifts.claims import boxes_shown, claim_summary
from shop.selectors.gifts.members import design_for_member
from shop.selectors.gifts.orders import gift_order_for_member
from shop.selectors.gifts.prices import box_price_lines, order_price_lines
from shop.services.gifts import claims
from shop.services.gifts.quote import gift_quote
from shop.views.limits import too_many


def _design_or_404(request, design_id):
    design = design_for_member(request.user, design_id)
    if design is None:
        raise Http404("No such design")
    return design


@login_required
def claim_order_new(request, design_id):
    """Order a design's boxes sent by claim link."""
    design = _design_or_404(request, design_id)
    form = ClaimOrderForm(request.POST or None, design=design)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recipients = claims.recipients_parse(data["recipients"]) if data["delivery"] == "email" else []
            order = claims.claim_order_place(
                design, data["quantity"], delivery=data["delivery"], recipients=recipients,
                expires_on=data["expires_on"], outcome=data["outcome"], fallback=form.fallback(),
                alternatives=list(data["alternatives"]), sender_name=data["sender_name"], note=data["note"],
                in_hand_date=data["in_hand_date"], po_number=data["po_number"], actor=request.user)
        except DomainError as error:
            form.add_error("recipients" if "line" in error.message else None, error.message)
        else:
            placed = f"Order {order.number} placed: {order.quantity} gifts by claim link."
            if order.status == order.Status.AWAITING_APPROVAL:
                messages.success(request, f"Order {order.number} ({order.quantity} gifts by claim link) is over your "
                                          "budget, so it waits for an administrator's approval. "
                                          f"{claims.LINKS_WAIT}")
                return redirect("shop:gift_claims", order.number)
            if order.payment == order.Payment.CARD and order.paid_at is None:
                # The card is held on the order page; the claims page alone would never ask for it.
                messages.success(request, f"{placed} Now authorise your card below (charged only when you approve "
                                          "the proof); then download the links from the claims page.")
                return redirect("shop:gift_order", order.number)
            messages.success(request, placed)
            return redirect("shop:gift_claims", order.number)
    try:
        box_lines = box_price_lines(gift_quote(design, 1)) if design.items.exists() else None
    except DomainError:
        box_lines = None
    return render(request, "shop/gifts/claim_order.html", {"design": design, "form": form, "box_lines": box_lines},
                  status=400 if form.errors else 200)


def _claim_order_or_404(request, number):
    order = gift_order_for_member(request.user, number)
    if order is None:
        raise Http404("No such order")
    summary = claim_summary(order)
    if summary is None:
        raise Http404("This order is not sent by claim link")
    return order, summary


@login_required
def claim_status(request, number):
    """Who claimed, what they picked and the tracking; addresses only with the recipient's consent."""
    order, summary = _claim_order_or_404(request, number)
    return render(request, "shop/gifts/claims.html", {
        "order": order, "summary": summary, "price_lines": order_price_lines(order),
        "balance": claims.organisation_credit_balance(order.organisation),
        "can_issue": summary.campaign.settled_at is None and summary.open > 0 and order.status not in (
            order.Status.AWAITING_APPROVAL, order.Status.DECLINED, order.Status.CANCELLED),
    })


@require_POST
@login_required
def claim_links_csv(request, number):
    """A fresh link for each gift not claimed yet, as a CSV (a POST: it makes the links)."""
    order, _ = _claim_order_or_404(request, number)
    try:
        rows = claims.claim_links_issue(order.pk, request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("shop:gift_claims", order.number)
    return csv_export.csv_response(f"claim-links-{order.number}.csv", ["gift", "name", "email", "link"], rows)


def _not_found(request, error=None):
    if error is not None:
        return too_many(request, error)
    return render(request, "shop/gifts/claim_missing.html", status=404)


def claim_page(request, token):
    """The recipient's page: the gift, the address form, or why it can no longer be claimed.
    Every miss (a link that matches no gift) counts against the visitor's ``gift_claim``
    limit, and a visitor over it is refused before any lookup; so are the POSTs."""
    try:
        ratelimit.hit(request, "gift_claim", cost=1 if request.method == "POST" else 0)
    except RateLimited as error:
        return too_many(request, error)
    claim = claims.claim_for_token(token)
    if claim is None:
        try:
            if request.method != "POST":
                ratelimit.hit(request, "gift_claim")
        except RateLimited as error:
            return _not_found(request, error)
        return _not_found(request)
    campaign, today = claim.campaign, timezone.localdate()
    boxes = boxes_shown(claims.claim_choices(claim) or [campaign.order.design], ordered_id=campaign.order.design_id,
                        ordered_held=campaign.order.stock_held > 0)
    form = ClaimForm(request.POST or None, boxes=boxes if len(boxes) > 1 else (), initial={"email": claim.email})
    state, status = claims.claim_state(claim, today), 200
    if request.method == "POST":
        status = {"claimed": 409, "closed": 410, "waiting": 409}.get(state, 400)  # 400 until it goes through
    if request.method == "POST" and state == "open" and form.is_valid():
        try:
            claims.claim_accept(token, form.ship_to(), design_id=form.cleaned_data.get("box"),
                                share_address=form.cleaned_data["share_address"], today=today,
                                email=form.cleaned_data["email"])
        except claims.ClaimTaken:
            state, status = "claimed", 409
            claim.refresh_from_db()
        except claims.ClaimClosed:
            state, status = "closed", 410
        except claims.ClaimNotReady:
            state, status = "waiting", 409
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you: your gift is claimed. It will ship to the address you gave.")
            return redirect("shop:gift_claim", token)
    return render(request, "shop/gifts/claim.html", {
        "claim": claim, "campaign": campaign, "boxes": boxes, "form": form, "state": state, "token": token,
    }, status=status)
