"""Corporate gift pages (`/gifts/`): members see and change only their organisation's designs."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from shop.platform import page_cache
from shop.platform.errors import DomainError
from shop.platform.page_cache import CATALOG, GIFTS, Fragment
from shop.platform import stripe_gateway as gateway
from shop.forms.gifts import (
    DesignDetailsForm,
    DesignItemForm,
    GiftOrderForm,
    LogoForm,
    OrderDecisionForm,
    NewDesignForm,
    ProofReviewForm,
    ProofUploadForm,
    QuoteForm,
)
from shop.models import GiftOrder, Invoice
from shop.platform.roles import SHOP_STAFF, role_required
from shop.views.checkout import payment_method_from
from shop.views.gifts.catalogue import gift_boxes
from shop.views.files import download_response, private_file_response
from shop.views.limits import card_payment_limited, limited
from shop.selectors.pricing import volume_tier_rows
from shop.selectors.gifts.orders import gift_order_for_member, gift_orders_for_member, gift_pipeline
from shop.selectors.gifts.catalogue import public_classic_boxes
from shop.selectors.gifts.prices import order_price_lines, quote_price_lines
from shop.selectors.gifts.members import (
    builder_cards,
    builder_choices,
    design_for_member,
    designs_for_member,
    member_organisations,
)
from shop.services.gifts import designs as gift_designs
from shop.services.gifts.budgets import order_decide
from shop.services.gifts.credit import credit_to_apply, organisation_credit_balance
from shop.services.gifts.documents import invoice_pdf, invoice_terms_days, quote_pdf
from shop.services.gifts.orders import (
    gift_order_authorise,
    gift_order_place,
    invoice_card_pay,
    invoice_from_token,
    invoice_mark_paid,
    proof_review,
    proof_upload,
)
from shop.services.gifts.quote import design_set_item, design_slots_used, gift_quote
from shop.services.organisations import is_organisation_admin


CLASSICS = Fragment("gift-classics", areas=(CATALOG, GIFTS))  # a box's price is its size's and its products'


def _design_or_404(request, design_id):
    design = design_for_member(request.user, design_id)
    if design is None:
        raise Http404("No such design")
    return design


def gifts_home(request):
    """Members of an organisation: its designs and orders. Everyone else (visitors too): the
    public catalogue with its instant quote and "Start an order"."""
    organisations = member_organisations(request.user)
    if not organisations:
        return gift_boxes(request)
    form = NewDesignForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            design = gift_designs.design_create(form.cleaned_data["organisation"], form.cleaned_data["name"],
                                                form.cleaned_data["size"], request.user,
                                                classic=form.cleaned_data["start_from"])
        except DomainError as error:
            form.add_error("size", error.message)
        else:
            return redirect("shop:gift_design", design.pk)
    context = {"organisations": organisations, "designs": designs_for_member(request.user) if organisations else [],
               "orders": gift_orders_for_member(request.user) if organisations else [], "form": form}
    if organisations:  # the classic boxes are the same for every member: cached
        classics = page_cache.cached(CLASSICS, lambda: page_cache.render("shop/gifts/_classics.html",
                                                                         {"classics": public_classic_boxes()}))
        context["classics"] = page_cache.for_visitor(request, classics)
    return render(request, "shop/gifts/home.html", context, status=400 if form.errors else 200)


@login_required
def design_detail(request, design_id):
    design = _design_or_404(request, design_id)
    return _builder(request, design)


def _builder(request, design, status=200, **bound):
    items = list(design.items.all())
    for item in items:
        item.line_price = item.variant.price * item.quantity
    planned = ({"quantity": design.planned_quantity, "shipping": design.planned_shipping or "per_recipient",
                "state": design.planned_state} if design.planned_quantity else None)
    # A draft from the public quote ("Start an order") opens with that quote worked out.
    # The item search (?q=) alone leaves the quote as it was.
    quote_form = bound.get("quote_form") or QuoteForm(request.GET if "quantity" in request.GET else planned)
    quote = None
    if quote_form.is_bound and quote_form.is_valid():
        try:
            quote = gift_quote(design, quote_form.cleaned_data["quantity"], quote_form.cleaned_data["shipping"],
                               quote_form.cleaned_data["state"] or None)
        except DomainError as error:
            quote_form.add_error(None, error.message)
    choices = builder_choices()
    slots_used = design_slots_used(design, items)
    q = request.GET.get("q", "").strip()[:80]
    cards = builder_cards(choices["variants"], design.size.slots - slots_used,
                          {item.variant_id: item.quantity for item in items}, q)
    credit_balance = organisation_credit_balance(design.organisation)
    quote_credit = credit_to_apply(credit_balance, quote.total) if quote else None
    context = {
        "credit_balance": credit_balance, "quote_credit": quote_credit,
        "quote_lines": quote_price_lines(quote, quote_credit) if quote else None,
        "design": design, "items": items, "palette": {str(c.pk): c.hex for c in choices["colours"]}, "slots_used": slots_used,
        "slots_free": design.size.slots - slots_used, "card_groups": cards, "q": q, "tiers": volume_tier_rows(),
        "item_form": bound.get("item_form") or DesignItemForm(),
        "details_form": bound.get("details_form") or DesignDetailsForm(instance=design),
        "logo_form": bound.get("logo_form") or LogoForm(),
        "quote_form": quote_form, "quote": quote, **choices,
        "quote_query": urlencode({"quantity": quote.quantity, "shipping": quote_form.cleaned_data["shipping"],
                                  "state": quote_form.cleaned_data["state"] or ""}) if quote else "",
        "order_form": bound.get("order_form") or GiftOrderForm(
            organisation=design.organisation,
            initial={"quantity": design.planned_quantity, "shipping": design.planned_shipping} if planned else None),
    }
    return render(request, "shop/gifts/design.html", context, status=status)


@require_POST
@login_required
def design_item(request, design_id):
    design = _design_or_404(request, design_id)
    form = DesignItemForm(request.POST)
    if form.is_valid():
        try:
            design_set_item(design, form.cleaned_data["variant"].pk, form.cleaned_data["quantity"])
        except DomainError as error:
            form.add_error("quantity", error.message)
        else:
            return redirect("shop:gift_design", design.pk)
    return _builder(request, design, status=400, item_form=form)


@require_POST
@login_required
def design_details(request, design_id):
    design = _design_or_404(request, design_id)
    form = DesignDetailsForm(request.POST, instance=design)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("shop:gift_design", design.pk)
    return _builder(request, design, status=400, details_form=form)


@require_POST
@login_required
def design_logo(request, design_id):
    design = _design_or_404(request, design_id)
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["logo"]
        try:
            gift_designs.design_set_logo(design, upload.name, upload.read())
        except DomainError as error:
            form.add_error("logo", error.message)
        else:
            messages.success(request, "Logo saved.")
            return redirect("shop:gift_design", design.pk)
    return _builder(request, design, status=400, logo_form=form)


@login_required
def design_logo_file(request, design_id):
    """The logo, to the organisation's members only (files are never public)."""
    design = _design_or_404(request, design_id)
    if not design.logo:
        raise Http404("No logo")
    content_type = gift_designs.logo_content_type(design.logo.name)
    extension = next((e for e, t in gift_designs.CONTENT_TYPES.items() if t == content_type), "")
    return private_file_response(design.logo, content_type, f"logo-{design.pk}{extension}")


@require_POST
@login_required
def design_duplicate(request, design_id):
    design = _design_or_404(request, design_id)
    copy = gift_designs.design_duplicate(design, request.user)
    messages.success(request, f"Copied as “{copy.name}”.")
    return redirect("shop:gift_design", copy.pk)




@login_required
def design_quote_pdf(request, design_id):
    design = _design_or_404(request, design_id)
    form = QuoteForm(request.GET)
    if not form.is_valid():
        return _builder(request, design, status=400, quote_form=form)
    try:
        quote = gift_quote(design, form.cleaned_data["quantity"], form.cleaned_data["shipping"], form.cleaned_data["state"] or None)
    except DomainError as error:
        form.add_error(None, error.message)
        return _builder(request, design, status=400, quote_form=form)
    return download_response(quote_pdf(design, quote), "application/pdf", f"quote-{design.pk}-{quote.quantity}.pdf")


# -- orders --------------------------------------------------------------------------------


@require_POST
@login_required
def design_order(request, design_id):
    design = _design_or_404(request, design_id)
    form = GiftOrderForm(request.POST, organisation=design.organisation)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = gift_order_place(design, data["quantity"], shipping_mode=data["shipping"], ship_to=form.ship_to(),
                                     recipient_list=data["recipient_list"], in_hand_date=data["in_hand_date"],
                                     po_number=data["po_number"], actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Order {order.number} placed. We will send a proof for your approval.")
            return redirect("shop:gift_order", order.number)
    return _builder(request, design, status=400, order_form=form)


def _order_or_404(request, number):
    order = gift_order_for_member(request.user, number)
    if order is None:
        raise Http404("No such order")
    return order


@login_required
def gift_order_detail(request, number, review_form=None, status=200, decision_form=None):
    order = _order_or_404(request, number)
    waiting = order.status == GiftOrder.Status.AWAITING_APPROVAL
    context = {
        "order": order, "price_lines": order_price_lines(order), "proofs": list(order.proofs.all()),
        "review_form": review_form or ProofReviewForm(),
        "can_decide": waiting and is_organisation_admin(request.user, order.organisation),
        "decision_form": decision_form or OrderDecisionForm(),
        "needs_card": order.payment == order.Payment.CARD and order.paid_at is None and order.status in (order.Status.PLACED, order.Status.PROOF_READY,
                                                                                 order.Status.CHANGES_REQUESTED),
        "stripe_js_url": settings.STRIPE_JS_URL, "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }
    return render(request, "shop/gifts/order.html", context, status=status)


@require_POST
@login_required
def gift_order_review(request, number):
    order = _order_or_404(request, number)
    form = ProofReviewForm(request.POST)
    if form.is_valid():
        try:
            proof_review(order.pk, approve=form.cleaned_data["decision"] == "approve", comment=form.cleaned_data["comment"],
                         actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("shop:gift_order", order.number)
    return gift_order_detail(request, number, review_form=form, status=400)


@require_POST
@login_required
def gift_order_decide(request, number):
    """An administrator approves (the order is placed) or declines an order over a member's budget."""
    order = _order_or_404(request, number)
    form = OrderDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            order_decide(order.pk, approve=approve, note=form.cleaned_data["note"], actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Order {order.number} {'approved and placed' if approve else 'declined'}; "
                                      "whoever placed it has been e-mailed.")
            return redirect("shop:gift_order", order.number)
    return gift_order_detail(request, number, status=400, decision_form=form)


@require_POST
@login_required
@limited("payment_setup", json=True)
def gift_order_pay_setup(request, number):
    _order_or_404(request, number)
    try:
        return JsonResponse({"client_secret": gateway.create_setup_intent()["client_secret"]})
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=503)


@require_POST
@login_required
@card_payment_limited
def gift_order_pay_confirm(request, number):
    """Authorise the card for the order's total; it is charged only when the proof is approved."""
    order = _order_or_404(request, number)
    payment_method = payment_method_from(request)
    if payment_method is None:
        return JsonResponse({"error": "The request was not understood."}, status=400)
    try:
        result = gift_order_authorise(order.pk, payment_method)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=402)
    return JsonResponse({"status": result["status"], "client_secret": result.get("client_secret"),
                         "next": reverse("shop:gift_order", args=[order.number])})


# -- staff ---------------------------------------------------------------------------------


@role_required(SHOP_STAFF)
def gift_pipeline_page(request):
    return render(request, "shop/gifts/pipeline.html", {"stages": gift_pipeline()})


@require_POST
@role_required(SHOP_STAFF)
def gift_order_proof_upload(request, number):
    order = GiftOrder.objects.filter(number=number).first()
    if order is None:
        raise Http404("No such order")
    form = ProofUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the proof file to upload.")
    else:
        try:
            proof_upload(order.pk, form.cleaned_data["file"], request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Proof uploaded for {order.number}; the client can review it now.")
    return redirect("shop:gift_order_staff", order.number)


@login_required
def gift_order_invoice_pdf(request, number):
    order = _order_or_404(request, number)
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        raise Http404("No invoice for this order yet")
    return download_response(invoice_pdf(invoice), "application/pdf", f"invoice-{invoice.number:06d}.pdf")


def _invoice_from_token_or_404(token):
    invoice = invoice_from_token(token)
    if invoice is None:
        raise Http404("No such invoice")
    return invoice


def gift_invoice_pay(request, token):
    """The "pay by card" page an invoice links to: no account needed, the signed link is the key."""
    invoice = _invoice_from_token_or_404(token)
    return render(request, "shop/gifts/invoice_pay.html", {
        "invoice": invoice, "order": invoice.order, "token": token, "terms_days": invoice_terms_days(invoice),
        "stripe_js_url": settings.STRIPE_JS_URL, "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    })


@require_POST
@limited("payment_setup", json=True)
def gift_invoice_pay_setup(request, token):
    invoice = _invoice_from_token_or_404(token)
    if invoice.paid_at is not None:
        return JsonResponse({"error": f"Invoice {invoice.number:06d} is already paid. Thank you."}, status=409)
    try:
        return JsonResponse({"client_secret": gateway.create_setup_intent()["client_secret"]})
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=503)


@require_POST
@card_payment_limited
def gift_invoice_pay_confirm(request, token):
    invoice = _invoice_from_token_or_404(token)
    payment_method = payment_method_from(request)
    if payment_method is None:
        return JsonResponse({"error": "The request was not understood."}, status=400)
    try:
        result = invoice_card_pay(invoice.pk, payment_method)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=402)
    return JsonResponse({"status": result["status"], "client_secret": result.get("client_secret"),
                         "next": reverse("shop:gift_invoice_pay", args=[token])})


@require_POST
@role_required(SHOP_STAFF)
def gift_invoice_mark_paid(request, invoice_id):
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("No such invoice")
    invoice_mark_paid(invoice.pk, request.user)
    messages.success(request, f"Invoice {invoice.number:06d} marked paid.")
    return redirect("shop:gift_pipeline")
