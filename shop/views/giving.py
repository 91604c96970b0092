"""Giving pages: donate, pay (the shared card page), thanks, the donor's gifts and receipts,
the signed card-update link, and the shop staff's giving report, gift and statements pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shop.platform import page_cache
from shop.platform import stripe_gateway as gateway
from shop.platform.page_cache import Fragment
from shop.platform.csv_export import csv_response
from shop.platform.errors import DomainError
from shop.forms.giving import AmountForm, CorrectReceiptForm, DonateForm, RefundDonationForm, StatementRunForm
from shop.models import Donation, Receipt, RecurringGift, StatementRun
from shop.platform.roles import SHOP_STAFF, role_required
from shop.platform.security import private_page
from shop.platform.validators import report_year
from shop.selectors import giving as selectors
from shop.selectors.events import event_purchase, hold_expired, hold_expires_at
from shop.services import donations as service
from shop.services.events import hold_check as event_hold_check
from shop.services.receipts import fl_disclosure, receipt_correct, receipt_pdf, receipt_send
from shop.services.statements import statements_preview, statements_start
from shop.views.checkout import payment_method_from
from shop.views.limits import card_payment_limited, limited


def _fee_examples():
    return [(amount, service.fee_cover(amount)) for amount in settings.DONATION_PRESETS]


DONATE_PAGE = Fragment("donate")  # settings only: the presets, the fee figures, the disclosure


def donate(request):
    """The donate page: amount, once or monthly, designation, tribute, fees, donor details.
    Cached for every visitor not signed in (a signed-in person's form has their name and e-mail)."""
    initial = {"email": request.user.email if request.user.is_authenticated else "",
               "name": request.user.get_full_name() if request.user.is_authenticated else ""}
    if request.method != "POST" and not request.user.is_authenticated:
        fragment = page_cache.cached(DONATE_PAGE, lambda: _donate_fragment(DonateForm(initial=initial)))
        return render(request, "shop/giving/donate.html", {"fragment": page_cache.for_visitor(request, fragment)})
    form = DonateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = service.GiftDetails(
            amount=data["amount"], monthly=data["frequency"] == "monthly", fund=data["fund"], cover_fees=data["cover_fees"],
            anonymous=data["anonymous"], name=data["name"], email=data["email"], address_line1=data["address_line1"],
            address_line2=data["address_line2"], city=data["city"], state=data["state"], postal_code=data["postal_code"],
            tribute=data["tribute"], tribute_name=data["tribute_name"], tribute_notify_email=data["tribute_notify_email"], user=request.user,
        )
        try:
            gift = service.recurring_start(details) if details.monthly else service.donation_start(details)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("shop:donate_pay", token=service.gift_token(gift))
    fragment = _donate_fragment(form, signed_in=request.user.is_authenticated)
    return render(request, "shop/giving/donate.html", {"fragment": page_cache.for_visitor(request, fragment)},
                  status=400 if form.errors else 200)


def _donate_fragment(form, signed_in=False) -> str:
    context = {"form": form, "signed_in": signed_in, "fee_examples": _fee_examples(), "fee_percent": settings.DONATION_FEE_PERCENT,
               "fee_fixed": settings.DONATION_FEE_FIXED, "fl_disclosure": fl_disclosure()}
    return page_cache.render("shop/giving/_donate.html", context)


def _gift_or_404(token):
    gift = service.gift_from_token(token)
    if gift is None:
        raise Http404("No such gift")
    return gift


def _is_monthly(gift) -> bool:
    return isinstance(gift, RecurringGift)


@private_page
def donate_pay(request, token):
    """The card page (pay.js): the exact total, fees included, is shown before the card is charged."""
    gift = _gift_or_404(token)
    waiting = gift.status == (RecurringGift.Status.INCOMPLETE if _is_monthly(gift) else Donation.Status.PENDING)
    if not waiting:
        return redirect("shop:donate_thanks", token=token)
    context = {"gift": gift, "monthly": _is_monthly(gift), "token": token, "stripe_js_url": settings.STRIPE_JS_URL,
               "publishable_key": settings.STRIPE_PUBLISHABLE_KEY, **_event_purchase(gift),
               "setup_url": reverse("shop:donate_pay_setup", args=[token]),
               "confirm_url": reverse("shop:donate_pay_confirm", args=[token]), "fl_disclosure": fl_disclosure()}
    return render(request, "shop/giving/pay.html", context)


def _setup_intent():
    try:
        return JsonResponse({"client_secret": gateway.create_setup_intent()["client_secret"]})
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=503)


@require_POST
@private_page
@limited("payment_setup", json=True)
def donate_pay_setup(request, token):
    if service.gift_from_token(token) is None:
        return JsonResponse({"error": "This gift link is not valid."}, status=404)
    return _setup_intent()


@require_POST
@private_page
@card_payment_limited
def donate_pay_confirm(request, token):
    """Charge the collected card (one time) or set up the subscription (monthly). Never marks anything paid."""
    gift = service.gift_from_token(token)
    if gift is None:
        return JsonResponse({"error": "This gift link is not valid."}, status=404)
    payment_method = payment_method_from(request)
    if payment_method is None:
        return JsonResponse({"error": "The request was not understood."}, status=400)
    try:
        if _is_monthly(gift):
            result = service.recurring_confirm(gift, payment_method)
        else:
            event_hold_check(gift)  # tickets and sponsorships: only while their places are held
            result = service.donation_confirm(gift, payment_method)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=402)
    return JsonResponse({"status": result.status, "client_secret": result.client_secret,
                         "next": reverse("shop:donate_thanks", args=[token])})


@private_page
def donate_thanks(request, token):
    """Thanks. A one-time gift still waiting is checked with Stripe (a server-side retrieval)."""
    gift = _gift_or_404(token)
    payment = None if _is_monthly(gift) else gift.payment
    if payment is not None and gift.status == Donation.Status.PENDING and payment.stripe_payment_intent_id:
        try:
            gift = service.donation_payment_sync(payment.stripe_payment_intent_id) or gift
        except DomainError:
            pass
    return render(request, "shop/giving/thanks.html", {"gift": gift, "monthly": _is_monthly(gift), **_event_purchase(gift)})


def _event_purchase(gift) -> dict:
    """The tickets or sponsorship a payment is for (the pay and thanks pages say so), and the hold's end."""
    purchase = event_purchase(gift)
    if purchase is None:
        return {}
    return {"purchase": purchase, "is_tickets": hasattr(purchase, "quantity"), "hold_until": hold_expires_at(gift),
            "hold_expired": hold_expired(gift)}


# -- the donor's own pages --------------------------------------------------------------

def _account(request, status=200, **extra):
    history = selectors.donor_history(request.user)
    for recurring in history["recurring"]:
        recurring.card_token = service.gift_token(recurring)
    return render(request, "shop/giving/account.html", {**history, "amount_form": AmountForm(), **extra}, status=status)


@login_required
def my_giving(request):
    return _account(request)


@login_required
def my_receipt_pdf(request, number):
    receipt = selectors.receipt_for_user(request.user, number)
    if receipt is None:
        raise Http404("No such receipt")
    return _pdf(receipt_pdf(receipt), f"receipt-{receipt.number}.pdf")


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


MONTHLY_ACTIONS = {"pause": service.recurring_pause, "resume": service.recurring_resume, "cancel": service.recurring_cancel}


@login_required
@require_POST
def my_monthly_action(request, number, action):
    recurring = selectors.recurring_for_user(request.user, number)
    if recurring is None:
        raise Http404("No such monthly gift")
    try:
        if action == "amount":
            form = AmountForm(request.POST)
            if not form.is_valid():
                return _account(request, status=400, amount_form=form, form_for=number)
            service.recurring_change_amount(recurring, form.cleaned_data["amount"])
            messages.success(request, "Your monthly gift amount is changed from the next charge on.")
        elif action in MONTHLY_ACTIONS:
            MONTHLY_ACTIONS[action](recurring)
            messages.success(request, {"pause": "Your monthly gift is paused.", "resume": "Your monthly gift is running again.",
                                       "cancel": "Your monthly gift is cancelled. Thank you for all you gave."}[action])
        else:
            raise Http404("No such action")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shop:my_giving")


@private_page
def card_update(request, token):
    """The signed link a failed-charge e-mail carries: a new card for the monthly gift."""
    recurring = service.gift_from_token(token)
    if not isinstance(recurring, RecurringGift):
        raise Http404("No such monthly gift")
    context = {"gift": recurring, "monthly": True, "card_update": True, "stripe_js_url": settings.STRIPE_JS_URL,
               "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
               "setup_url": reverse("shop:giving_card_setup", args=[token]),
               "confirm_url": reverse("shop:giving_card_confirm", args=[token]), "fl_disclosure": fl_disclosure()}
    return render(request, "shop/giving/pay.html", context)


@require_POST
@private_page
@limited("payment_setup", json=True)
def card_update_setup(request, token):
    if not isinstance(service.gift_from_token(token), RecurringGift):
        return JsonResponse({"error": "This link is not valid."}, status=404)
    return _setup_intent()


@require_POST
@private_page
@card_payment_limited
def card_update_confirm(request, token):
    recurring = service.gift_from_token(token)
    if not isinstance(recurring, RecurringGift):
        return JsonResponse({"error": "This link is not valid."}, status=404)
    payment_method = payment_method_from(request)
    if payment_method is None:
        return JsonResponse({"error": "The request was not understood."}, status=400)
    try:
        result = service.recurring_update_card(recurring, payment_method)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=402)
    return JsonResponse({"status": result.status, "next": reverse("shop:donate_thanks", args=[token])})


# -- shop staff ---------------------------------------------------------------------------

def year_from_request(request) -> int:
    """The ``?year=`` of a staff report (this year when missing or absurd)."""
    return report_year(request.GET.get("year", "")) or timezone.localdate().year


@role_required(SHOP_STAFF)
def staff_giving(request):
    year = year_from_request(request)
    recent = Donation.objects.exclude(status=Donation.Status.PENDING).select_related("donor")[:50]
    return render(request, "shop/giving/staff_report.html", {**selectors.giving_report(year), "recent": recent})


@role_required(SHOP_STAFF)
def staff_giving_csv(request):
    year = year_from_request(request)
    header = ["gift", "paid_on", "donor", "email", "fund", "monthly", "gift_amount", "fees_covered", "total",
              "goods_value", "deductible", "status", "receipt", "circle"]
    rows = []
    for d in selectors.report_rows(year):
        receipt = next((r.number for r in d.receipts.all() if r.voided_at is None), "")
        rows.append([d.number, timezone.localdate(d.paid_at).isoformat(), d.donor_name, d.donor.email,
                     d.get_fund_display(), "yes" if d.recurring_id else "no", d.amount, d.fee_covered, d.total,
                     d.goods_value, d.deductible, d.status, receipt, d.circle.name if d.circle else ""])
    return csv_response(f"gifts-{year}.csv", header, rows, private=False)


@role_required(SHOP_STAFF)
def staff_donation(request, number, status=200, **forms):
    donation = Donation.objects.select_related("donor", "recurring").filter(number=number).first()
    if donation is None:
        raise Http404("No such gift")
    receipts = list(donation.receipts.order_by("-id"))
    valid = next((r for r in receipts if r.voided_at is None), None)
    context = {"donation": donation, "receipts": receipts, "valid_receipt": valid,
               "refund_form": forms.get("refund_form") or RefundDonationForm(),
               "correct_form": forms.get("correct_form") or CorrectReceiptForm(
                   initial={"donor_name": donation.donor_name, "donor_address": donation.donor_address})}
    return render(request, "shop/giving/staff_donation.html", context, status=status)


@role_required(SHOP_STAFF)
@require_POST
def staff_donation_action(request, number, action):
    donation = Donation.objects.filter(number=number).first()
    if donation is None:
        raise Http404("No such gift")
    valid = donation.receipts.filter(voided_at__isnull=True).first()
    try:
        if action == "refund":
            form = RefundDonationForm(request.POST)
            if not form.is_valid():
                return staff_donation(request, number, status=400, refund_form=form)
            service.donation_refund(donation.pk, form.cleaned_data["reason"])
            messages.success(request, f"Gift {number} refunded; its receipt is void.")
        elif action == "correct":
            form = CorrectReceiptForm(request.POST)
            if not form.is_valid():
                return staff_donation(request, number, status=400, correct_form=form)
            if valid is None:
                raise DomainError("This gift has no valid receipt to correct.")
            new = receipt_correct(valid.pk, **form.cleaned_data)
            messages.success(request, f"Receipt {valid.number} voided; {new.number} issued and sent.")
        elif action == "resend":
            if valid is None:
                raise DomainError("This gift has no valid receipt to send.")
            receipt_send(valid.pk, copy=True)
            messages.success(request, f"A copy of receipt {valid.number} was sent.")
        else:
            raise Http404("No such action")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shop:staff_donation", number=number)


@role_required(SHOP_STAFF)
def staff_receipt_pdf(request, number):
    receipt = Receipt.objects.filter(number=number).first()
    if receipt is None:
        raise Http404("No such receipt")
    return _pdf(receipt_pdf(receipt), f"receipt-{receipt.number}.pdf")


@role_required(SHOP_STAFF)
def staff_statements(request):
    """Choose a year (an ended one), see how many statements would go and to whom, then confirm."""
    form = StatementRunForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        preview = statements_preview(data["year"])
        if data["confirm"] and data["expected"] == preview.to_send:
            run = statements_start(data["year"], request.user)
            messages.success(request, f"Sending {preview.to_send} statements for {run.year}; statements already sent "
                                      "are skipped.")
            return redirect("shop:staff_statements")
        if data["confirm"]:
            messages.error(request, "The number of statements to send changed since you looked. Please check again.")
    runs = StatementRun.objects.all()[:20]
    running = next((r for r in runs if r.status == StatementRun.Status.RUNNING), None)
    return render(request, "shop/giving/staff_statements.html", {"form": form, "runs": runs, "running": running,
                                                                 "preview": preview},
                  status=400 if form.errors else 200)


@role_required(SHOP_STAFF)
def staff_statements_progress(request, run_id):
    run = StatementRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404("No such run")
    return JsonResponse({"status": run.status, "done": run.done, "total": run.total, "percent": run.percent})
