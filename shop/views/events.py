"""Event pages: the public list and event page (tickets, sponsorships, paid sponsors), the
hosting request form, and the shop staff's events, ticket buyers (CSV) and hosting decisions.

Tickets and sponsorships are paid on the gift pay page (``/donate/pay/<signed>/``)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shop.platform import page_cache
from shop.platform.csv_export import csv_text
from shop.platform.page_cache import EVENTS, Fragment
from shop.platform.errors import DomainError
from shop.forms.events import HostingDecisionForm, HostingRequestForm, SponsorForm, TicketForm
from shop.models import Event, HostingRequest
from shop.platform.roles import SHOP_STAFF, role_required
from shop.selectors import events as selectors
from shop.services import events as service
from shop.services.donations import gift_token
from shop.services.logos import LogoError
from shop.services.receipts import fl_disclosure
from shop.views.files import download_response
from shop.views.limits import limited


EVENT_LIST = Fragment("events", areas=(EVENTS,))
EVENT = Fragment("event", areas=(EVENTS,))


def event_list(request):
    fragment = page_cache.cached(EVENT_LIST, _event_list_fragment, until=lambda f: f["until"])
    return render(request, "shop/events/list.html", {"fragment": page_cache.for_visitor(request, fragment["html"])})


def _event_list_fragment() -> dict:
    events = list(selectors.upcoming_events())
    return {"html": page_cache.render("shop/events/_list.html", {"events": events}),
            "until": min((event.ends_at for event in events), default=None)}  # the first to end leaves the list


def _published_or_404(slug) -> Event:
    event = selectors.published_event(slug)
    if event is None:
        raise Http404("No such event")
    return event


def _event_fragment(event, ticket_form=None, sponsor_form=None, me=None) -> dict | None:
    if event is None:
        return None
    now = timezone.now()
    me = me or {}
    shown = selectors.event_page(event, now)
    context = {**shown, "fl_disclosure": fl_disclosure(),
               "ticket_form": ticket_form or TicketForm(event=event, initial=me.get("ticket"),
                                                        ticket_types=shown["ticket_types"]),
               "sponsor_form": sponsor_form or SponsorForm(event=event, initial=me.get("sponsor"), tiers=shown["tiers"])}
    return {"title": event.title, "html": page_cache.render("shop/events/_detail.html", context),
            "until": selectors.event_page_changes_at(event, now)}


def _event_page(request, event, status=200, ticket_form=None, sponsor_form=None):
    """The event page for this visitor only: a POST's errors, or forms filled with a signed-in
    person's name and e-mail."""
    me = {"ticket": _me(request), "sponsor": _me(request, "contact_name")}
    return _render_event(request, _event_fragment(event, ticket_form, sponsor_form, me), status)


def _render_event(request, fragment, status=200):
    return render(request, "shop/events/detail.html",
                  {"title": fragment["title"], "fragment": page_cache.for_visitor(request, fragment["html"])}, status=status)


def _me(request, name_field="name") -> dict:
    if not request.user.is_authenticated:
        return {}
    return {"email": request.user.email, name_field: request.user.get_full_name()}


def event_detail(request, slug):
    """The event page: one cached fragment for every visitor who is not signed in (a signed-in
    person's forms are filled with their name and e-mail)."""
    if request.user.is_authenticated:
        return _event_page(request, _published_or_404(slug))
    fragment = page_cache.cached(EVENT.at(slug), lambda: _event_fragment(selectors.published_event(slug)),
                                 until=lambda f: f["until"])
    if fragment is None:
        raise Http404("No such event")
    return _render_event(request, fragment)


def _address(data) -> dict:
    return {k: data[k] for k in ("address_line1", "city", "state", "postal_code")}


@require_POST
def event_tickets(request, slug):
    event = _published_or_404(slug)
    form = TicketForm(request.POST, event=event)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = service.tickets_reserve(data["ticket_type"], data["quantity"],
                                             service.Buyer(data["name"], data["email"], **_address(data)), user=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("shop:donate_pay", token=gift_token(ticket.donation))
    return _event_page(request, event, status=400, ticket_form=form)


@require_POST
def event_sponsor(request, slug):
    event = _published_or_404(slug)
    form = SponsorForm(request.POST, request.FILES, event=event)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["logo"]
        # Bigger than the limit: refused by its size, without reading it into memory.
        logo = (upload.name, upload.read(service.SPONSOR_LOGO_MAX_BYTES + 1)) if upload else None
        sponsor = service.Sponsor(name=data["sponsor_name"], contact_name=data["contact_name"], email=data["email"],
                                  link=data["link"], **_address(data))
        try:
            sponsorship = service.sponsorship_start(data["tier"], sponsor, logo, user=request.user)
        except DomainError as error:
            form.add_error("logo" if isinstance(error, LogoError) else None, error.message)
        else:
            return redirect("shop:donate_pay", token=gift_token(sponsorship.donation))
    return _event_page(request, event, status=400, sponsor_form=form)


# -- hosting requests ---------------------------------------------------------------------

@limited("hosting_request")
def host_request(request):
    form = HostingRequestForm(request.POST or None, initial=_me(request, "contact_name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = service.hosting_request_create(service.HostingDetails(**data))
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            request.session["hosting_ack"] = {"organisation": made.organisation, "date": made.date.isoformat(),
                                              "email": made.email}
            return redirect("shop:event_host_thanks")
    return render(request, "shop/events/host.html", {"form": form}, status=400 if form.errors else 200)


def host_thanks(request):
    ack = request.session.get("hosting_ack")
    if ack is None:
        return redirect("shop:event_host")
    return render(request, "shop/events/host_thanks.html", {"ack": ack})


# -- shop staff ---------------------------------------------------------------------------

@role_required(SHOP_STAFF)
def staff_events(request):
    new, decided = selectors.hosting_requests()
    return render(request, "shop/events/staff_list.html", {"rows": selectors.staff_events(), "new_requests": new,
                                                            "decided_requests": decided,
                                                            "decision_form": HostingDecisionForm()})


def _event_or_404(slug) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise Http404("No such event")
    return event


@role_required(SHOP_STAFF)
def staff_event(request, slug):
    event = _event_or_404(slug)
    return render(request, "shop/events/staff_event.html", {
        "totals": selectors.event_totals(event), "event": event, "tickets": selectors.ticket_rows(event),
        "sponsorships": selectors.sponsorship_rows(event),
    })


TICKET_COLUMNS = ("event", "gift", "ticket_type", "quantity", "buyer", "email", "total", "goods_value", "deductible",
                  "status", "bought_at", "paid_at")


@role_required(SHOP_STAFF)
def staff_event_tickets_csv(request, slug):
    event = _event_or_404(slug)
    rows = (
        (event.slug, t.donation.number, t.ticket_type.name, t.quantity, t.buyer_name, t.buyer_email, t.donation.total,
         t.donation.goods_value, t.donation.deductible, state, timezone.localtime(t.created_at).isoformat(timespec="minutes"),
         timezone.localtime(t.donation.paid_at).isoformat(timespec="minutes") if t.donation.paid_at else "")
        for t, state in selectors.ticket_rows(event)
    )
    return download_response(csv_text(TICKET_COLUMNS, rows), "text/csv", f"tickets-{event.slug}.csv")


@role_required(SHOP_STAFF)
@require_POST
def staff_hosting_decide(request, request_id, action):
    if action not in ("accept", "decline"):
        raise Http404("No such action")
    hosting = HostingRequest.objects.filter(pk=request_id).first()
    if hosting is None:
        raise Http404("No such request")
    form = HostingDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The message is too long.")
        return redirect("shop:staff_events")
    try:
        decided = service.hosting_decide(hosting.pk, action == "accept", form.cleaned_data["message"], request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The request from {decided.organisation} is {decided.get_status_display().lower()}; "
                                  f"{decided.email} is e-mailed the decision.")
    return redirect("shop:staff_events")
