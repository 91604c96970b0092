"""Gift pages around an order: recipient lists, the organisation's members and invitations,
proofs and the impact certificate for members; fulfilment steps and exports for staff."""
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shop.platform.errors import DomainError
from shop.forms.gifts import BudgetForm, ColumnMappingForm, InvitationForm, ProofUploadForm, RecipientListForm, ShipmentForm, TrackingImportForm
from shop.models import Proof, RecipientList
from shop.platform.roles import SHOP_STAFF, role_required, user_has_role
from shop.selectors.gifts.orders import gift_order_for_member, gift_order_for_staff, gift_order_progress
from shop.selectors.gifts.prices import order_price_lines
from shop.selectors.gifts.members import (
    member_organisations,
    organisation_for_member,
    organisation_people,
    recipient_list_for_member,
    recipient_lists_for_member,
)
from shop.services import organisations
from shop.services.gifts import proofs
from shop.services.gifts import fulfilment as gift_fulfilment
from shop.services.gifts.budgets import budget_set, members_spent
from shop.services.gifts.credit import credit_entries
from shop.services.gifts.documents import box_counts, impact_certificate_pdf, packing_list_csv, shipping_labels_csv
from shop.services.gifts.orders import gift_order_cancel
from shop.services.gifts.recipients import ColumnMappingError, recipient_list_map_columns, recipient_list_upload
from shop.services.recipients_import import TEMPLATE_CSV, column_samples
from shop.views.files import download_response, private_file_response
from shop.platform.ratelimit import RateLimited
from shop.views.limits import invitations_limited, too_many


# -- recipient lists -----------------------------------------------------------------------


@login_required
def recipient_lists(request):
    organisations_ = member_organisations(request.user)
    if not organisations_:
        raise Http404("Not a member of an organisation")
    form = RecipientListForm(request.POST or None, request.FILES or None)
    organisation = organisations_[0]
    if len(organisations_) > 1:
        chosen = request.POST.get("organisation") if request.method == "POST" else None
        organisation = next((o for o in organisations_ if str(o.pk) == chosen), organisation)
    if request.method == "POST" and form.is_valid():
        try:
            recipient_list = recipient_list_upload(organisation, form.cleaned_data["name"], form.cleaned_data["file"],
                                                   request.user)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return redirect("shop:gift_recipient_list", recipient_list.pk)
    return render(request, "shop/gifts/recipients.html",
                  {"form": form, "lists": recipient_lists_for_member(request.user), "organisations": organisations_},
                  status=400 if form.errors else 200)


@login_required
def recipients_template(request):
    return download_response(TEMPLATE_CSV, "text/csv; charset=utf-8", "recipients-template.csv")


def _list_or_404(request, list_id):
    recipient_list = recipient_list_for_member(request.user, list_id)
    if recipient_list is None:
        raise Http404("No such recipient list")
    return recipient_list


@login_required
def recipient_list_detail(request, list_id, mapping_form=None, status=200):
    recipient_list = _list_or_404(request, list_id)
    context = {"list": recipient_list}
    if recipient_list.status == RecipientList.Status.MAPPING:
        if mapping_form is None:
            pending = recipient_list.unmapped_columns
            with recipient_list.source.open("rb") as handle:
                samples = column_samples(handle.read(), [c["letter"] for c in pending["columns"]])
            mapping_form = ColumnMappingForm(pending=pending, samples=samples)
        context["mapping_form"] = mapping_form
    else:
        context["recipients"] = list(recipient_list.recipients.all()[:200])
        context["count"] = recipient_list.recipients.count()
    return render(request, "shop/gifts/recipient_list.html", context, status=status)


@require_POST
@login_required
def recipient_list_columns(request, list_id):
    """The member's answer to "what is this column?"; the file is checked again with it."""
    recipient_list = _list_or_404(request, list_id)
    if recipient_list.status != RecipientList.Status.MAPPING:
        messages.info(request, "This list is not waiting for column choices.")
        return redirect("shop:gift_recipient_list", recipient_list.pk)
    pending = recipient_list.unmapped_columns
    with recipient_list.source.open("rb") as handle:
        samples = column_samples(handle.read(), [c["letter"] for c in pending["columns"]])
    form = ColumnMappingForm(request.POST, pending=pending, samples=samples)
    if form.is_valid():
        try:
            recipient_list_map_columns(recipient_list.pk, form.choices(), request.user)
        except ColumnMappingError as error:
            for letter, message in error.errors.items():
                form.add_error(f"column_{letter}", message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Thank you. We are checking the file again and will use these choices for "
                                      f"{recipient_list.organisation.name}'s next files too.")
            return redirect("shop:gift_recipient_list", recipient_list.pk)
    return recipient_list_detail(request, list_id, mapping_form=form, status=400)


@login_required
def recipient_list_progress(request, list_id):
    recipient_list = _list_or_404(request, list_id)
    return JsonResponse({"status": recipient_list.status, "done": recipient_list.processed_rows,
                         "total": recipient_list.total_rows, "percent": recipient_list.progress_percent})


# -- members -------------------------------------------------------------------------------


def _organisation_or_404(request, slug):
    organisation = organisation_for_member(request.user, slug)
    if organisation is None:
        raise Http404("No such organisation")
    return organisation


@login_required
def organisation_members(request, slug):
    organisation = _organisation_or_404(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with invitations_limited(request, 1):
                organisations.invitation_send(organisation, form.cleaned_data["email"], form.cleaned_data["role"],
                                              request.user)
        except RateLimited as error:
            return too_many(request, error)
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("shop:gift_members", organisation.slug)
    return _members_page(request, organisation, form)


def _members_page(request, organisation, form, budget_forms=None, status=None):
    people = organisation_people(organisation)
    is_admin = organisations.is_organisation_admin(request.user, organisation)
    spent = members_spent(organisation, people["members"], timezone.localdate())
    budget_forms = budget_forms or {}
    for member in people["members"]:
        budget = getattr(member, "budget", None)
        member.spent = spent.get(member.pk)
        member.budget_form = budget_forms.get(member.pk) or BudgetForm(
            initial={"period": budget.period, "amount": budget.amount} if budget else {"period": "month"},
            prefix=f"m{member.pk}")
    entries = credit_entries(organisation)
    context = {"organisation": organisation, "form": form, "is_admin": is_admin, **people,
               "credit_entries": entries, "credit_balance": sum((c.amount for c in entries), Decimal("0.00"))}
    return render(request, "shop/gifts/members.html", context, status=status or (400 if form.errors else 200))


@require_POST
@login_required
def organisation_member_budget(request, slug, member_id):
    """An administrator sets (or clears) a member's spending budget."""
    organisation = _organisation_or_404(request, slug)
    if not organisation.members.filter(pk=member_id).exists():
        raise Http404("No such member")
    form = BudgetForm(request.POST, prefix=f"m{member_id}")
    if form.is_valid():
        try:
            budget_set(organisation, member_id, form.cleaned_data["period"], form.cleaned_data["amount"], request.user)
        except DomainError as error:
            form.add_error("amount", error.message)
        else:
            messages.success(request, "Budget saved.")
            return redirect("shop:gift_members", organisation.slug)
    return _members_page(request, organisation, InvitationForm(), {member_id: form}, status=400)


def _members_change(request, slug, change):
    organisation = _organisation_or_404(request, slug)
    try:
        change(organisation)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shop:gift_members", organisation.slug)


@require_POST
@login_required
def organisation_member_remove(request, slug, member_id):
    return _members_change(request, slug, lambda org: organisations.member_remove(org, member_id, request.user))


@require_POST
@login_required
def organisation_invitation_withdraw(request, slug, invitation_id):
    return _members_change(request, slug, lambda org: organisations.invitation_withdraw(invitation_id, org, request.user))


@login_required
def invitation_accept(request, token):
    invitation = organisations.invitation_pending(token)
    if invitation is None:
        raise Http404("This invitation has been used or withdrawn")
    error = None
    if request.method == "POST":
        try:
            organisations.invitation_accept(token, request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"Welcome to {invitation.organisation.name}.")
            return redirect("shop:gifts")
    return render(request, "shop/gifts/invitation.html", {"invitation": invitation, "error": error},
                  status=400 if error else 200)


# -- proofs and certificate ----------------------------------------------------------------


@login_required
def gift_order_proof_file(request, number, proof_id):
    """A proof, to the organisation's members and shop staff only."""
    if user_has_role(request.user, SHOP_STAFF):
        proof = Proof.objects.filter(pk=proof_id, order__number=number).first()
    else:
        order = gift_order_for_member(request.user, number)
        proof = Proof.objects.filter(pk=proof_id, order=order).first() if order else None
    if proof is None:
        raise Http404("No such proof")
    content_type = proofs.content_type(proof.file.name)
    extension = next((e for e, t in proofs.CONTENT_TYPES.items() if t == content_type), "")
    return private_file_response(proof.file, content_type, f"proof-{number}-{proof.pk}{extension}")


@login_required
def gift_order_certificate(request, number):
    order = gift_order_for_member(request.user, number)
    if order is None or order.paid_at is None:
        raise Http404("The certificate is ready once the order is paid")
    return download_response(impact_certificate_pdf(order), "application/pdf", f"impact-{order.number}.pdf")


# -- staff ---------------------------------------------------------------------------------


def _staff_order_or_404(number):
    order = gift_order_for_staff(number)
    if order is None:
        raise Http404("No such order")
    return order


@role_required(SHOP_STAFF)
def staff_gift_order(request, number, status=200, **forms):
    order = _staff_order_or_404(number)
    context = {
        "order": order, "box_counts": box_counts(order), "price_lines": order_price_lines(order),
        "recipients": list(order.recipient_list.recipients.select_related("claim__chosen_design").order_by("row")[:100])
        if order.recipient_list else [],
        "recipient_count": order.recipient_list.recipients.count() if order.recipient_list else 0,
        "upload_form": ProofUploadForm(), "shipment_form": forms.get("shipment_form") or ShipmentForm(),
        "tracking_form": TrackingImportForm(), **gift_order_progress(order),
    }
    return render(request, "shop/gifts/staff_order.html", context, status=status)


@require_POST
@role_required(SHOP_STAFF)
def staff_gift_order_action(request, number, action):
    order = _staff_order_or_404(number)
    try:
        if action == "production":
            gift_fulfilment.order_start_production(order.pk, request.user)
            messages.success(request, f"{order.number} is in production.")
        elif action == "shipment":
            form = ShipmentForm(request.POST)
            if not form.is_valid():
                return staff_gift_order(request, number, status=400, shipment_form=form)
            d = form.cleaned_data
            gift_fulfilment.shipment_record(order.pk, carrier=d["carrier"], tracking_number=d["tracking_number"],
                                            boxes=d["boxes"], recipient_row=d["recipient_row"], actor=request.user)
            messages.success(request, "Shipment recorded.")
        elif action == "tracking":
            form = TrackingImportForm(request.POST, request.FILES)
            if not form.is_valid():
                raise gift_fulfilment.FulfilmentError("Choose the tracking CSV to upload.")
            count = gift_fulfilment.shipments_import_tracking(order.pk, form.cleaned_data["file"].read(), request.user)
            messages.success(request, f"{count} shipments recorded.")
        elif action == "cancel":
            gift_order_cancel(order.pk, request.user)
            messages.success(request, f"{order.number} cancelled; any account credit it spent is returned.")
        elif action == "delivered":
            gift_fulfilment.order_mark_delivered(order.pk, request.user)
            messages.success(request, f"{order.number} marked delivered.")
        else:
            raise Http404("No such step")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shop:gift_order_staff", order.number)


@role_required(SHOP_STAFF)
def staff_gift_order_export(request, number, kind):
    order = _staff_order_or_404(number)
    if kind == "packing-list":
        return download_response(packing_list_csv(order), "text/csv; charset=utf-8", f"packing-list-{order.number}.csv")
    if kind == "labels":
        return download_response(shipping_labels_csv(order), "text/csv; charset=utf-8", f"labels-{order.number}.csv")
    raise Http404("No such export")


