"""Program staff's pages for consents, partners and referrals (superusers pass). Each page
that shows a participant's consents or referrals is audited (``consent.viewed``,
``referral.viewed``); every POST calls one service in ``payroll.services.consent``."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from payroll.admin import masked_name
from payroll.forms.consent import ConsentForm, PartnerForm, ReferralForm, ReferralUpdateForm, RevokeForm
from payroll.models import Consent, Partner
from payroll.selectors.consent import partner_list, participant_consents, referral_detail
from payroll.services.consent import (
    ConsentError,
    consent_grant,
    consent_revoke,
    longest_until,
    partner_save,
    referral_create,
    referral_update,
)
from payroll.services.people import audit
from shop.platform.roles import PROGRAM_STAFF, role_required
from shop.platform.audit import client_ip
from shop.platform.security import no_store

GET_OR_POST = require_http_methods(["GET", "HEAD", "POST"])


def _refused(form, error: ConsentError) -> None:
    """The service's refusal, on the field it names (else above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _participant(employee_id, today):
    data = participant_consents(employee_id, today)
    if data is None:
        raise Http404("No such participant")
    return {**data, "masked": masked_name(data["employee"].legal_name)}


@role_required(PROGRAM_STAFF)
@GET_OR_POST
def consents(request, employee_id):
    """A participant's consents: the list (each revocable) and the form that records a new one."""
    today = timezone.localdate()
    data = _participant(employee_id, today)
    form = ConsentForm(request.POST if request.method == "POST" else None,
                       initial={"valid_from": today, "signed_on": today, "valid_until": longest_until(today)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            consent_grant(data["employee"], use=d["use"], categories=d["categories"], recipient=d["recipient"],
                          purpose=d["purpose"], valid_from=d["valid_from"], valid_until=d["valid_until"],
                          signed_how=d["signed_how"], witness=d["witness"], signed_on=d["signed_on"], note=d["note"],
                          actor=request.user, today=today)
        except ConsentError as error:
            _refused(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("payroll:consents", employee_id)
    audit(request.user, "consent.viewed", data["employee"], ip=client_ip(request))
    status = 400 if form.is_bound else 200
    return no_store(render(request, "payroll/consent/consents.html",
                           {**data, "form": form, "revoke_form": RevokeForm()}, status=status))


@role_required(PROGRAM_STAFF)
@require_POST
def consent_revoke_view(request, consent_id):
    """Revoke a consent: from now on nothing uses it."""
    consent = Consent.objects.filter(pk=consent_id).only("employee_id").first()
    if consent is None:
        raise Http404("No such consent")
    form = RevokeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        consent_revoke(consent.pk, request.user, note=note, ip=client_ip(request))
    except ConsentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Consent no. {consent.pk} revoked: nothing uses it from now on.")
    return redirect("payroll:consents", consent.employee_id)


# -- referrals ----------------------------------------------------------------------------


@role_required(PROGRAM_STAFF)
@GET_OR_POST
def referrals(request, employee_id):
    """A participant's referrals and the form that sends one (refused without a consent naming the partner)."""
    today = timezone.localdate()
    data = _participant(employee_id, today)
    form = ReferralForm(request.POST if request.method == "POST" else None, initial={"sent_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            referral = referral_create(data["employee"], partner=d["partner"], service=d["service"], sent_on=d["sent_on"],
                                       note=d["note"], actor=request.user, today=today)
        except ConsentError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Referral to {referral.partner.name} recorded.")
            return redirect("payroll:referral", referral.pk)
    audit(request.user, "referral.viewed", data["employee"], ip=client_ip(request))
    return no_store(render(request, "payroll/consent/referrals.html", {**data, "form": form},
                           status=400 if form.is_bound else 200))


@role_required(PROGRAM_STAFF)
@GET_OR_POST
def referral(request, referral_id):
    """One referral: where it stands, and the form that records the partner's answer or its outcome."""
    found = referral_detail(referral_id)
    if found is None:
        raise Http404("No such referral")
    form = ReferralUpdateForm(request.POST if request.method == "POST" else None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            referral_update(found.pk, status=d["status"], on=d["on"], outcome=d["outcome"], outcome_note=d["outcome_note"],
                            actor=request.user)
        except ConsentError as error:
            _refused(form, error)
        else:
            messages.success(request, "Referral updated.")
            return redirect("payroll:referral", found.pk)
    audit(request.user, "referral.viewed", found.employee, ip=client_ip(request), referral=found.pk)
    return no_store(render(request, "payroll/consent/referral.html",
                           {"referral": found, "masked": masked_name(found.employee.legal_name), "form": form},
                           status=400 if form.is_bound else 200))


# -- partners -----------------------------------------------------------------------------


def _partner_fields(d):
    return {"name": d["name"], "kind": d["kind"], "services": d["services"], "contact": d["contact"], "active": d["active"]}


@role_required(PROGRAM_STAFF)
@GET_OR_POST
def partners(request):
    """The partner organisations and funders, and the form that adds one."""
    form = PartnerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = partner_save(None, actor=request.user, **_partner_fields(form.cleaned_data))
        except ConsentError as error:
            _refused(form, error)
        else:
            messages.success(request, f"{partner.name} added.")
            return redirect("payroll:partners")
    return no_store(render(request, "payroll/consent/partners.html", {"partners": partner_list(), "form": form},
                           status=400 if form.is_bound else 200))


@role_required(PROGRAM_STAFF)
@GET_OR_POST
def partner(request, partner_id):
    found = Partner.objects.filter(pk=partner_id).first()
    if found is None:
        raise Http404("No such partner")
    initial = {"name": found.name, "kind": found.kind, "services": found.services, "contact": found.contact,
               "active": found.active}
    form = PartnerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            partner_save(found, actor=request.user, **_partner_fields(form.cleaned_data))
        except ConsentError as error:
            _refused(form, error)
        else:
            messages.success(request, "Partner saved.")
            return redirect("payroll:partners")
    return no_store(render(request, "payroll/consent/partner.html", {"partner": found, "form": form},
                           status=400 if form.is_bound else 200))
