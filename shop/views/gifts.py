"""Corporate gift pages (`/gifts/`): members see and change only their organisation's designs."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shop.errors import DomainError
from shop.forms_gifts import DesignDetailsForm, DesignItemForm, LogoForm, NewDesignForm, QuoteForm

from shop.selectors.gifts import builder_choices, design_for_member, designs_for_member, member_organisations
from shop.services import gift_designs
from shop.services.gift_documents import quote_pdf
from shop.services.gifts import design_slots_used, gift_quote


def _design_or_404(request, design_id):
    design = design_for_member(request.user, design_id)
    if design is None:
        raise Http404("No such design")
    return design


@login_required
def gifts_home(request):
    organisations = member_organisations(request.user)
    form = NewDesignForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        design = gift_designs.design_create(form.cleaned_data["organisation"], form.cleaned_data["name"],
                                            form.cleaned_data["size"], request.user, classic=form.cleaned_data["start_from"])
        return redirect("shop:gift_design", design.pk)
    context = {"organisations": organisations, "designs": designs_for_member(request.user) if organisations else [],
               "form": form, **builder_choices()}
    return render(request, "shop/gifts/home.html", context, status=400 if form.errors else 200)


@login_required
def design_detail(request, design_id):
    design = _design_or_404(request, design_id)
    return _builder(request, design)


def _builder(request, design, status=200, **bound):
    items = list(design.items.all())
    quote_form = bound.get("quote_form") or QuoteForm(request.GET or None)
    quote = None
    if quote_form.is_bound and quote_form.is_valid():
        try:
            quote = gift_quote(design, quote_form.cleaned_data["quantity"], quote_form.cleaned_data["shipping"],
                               quote_form.cleaned_data["state"] or None)
        except DomainError as error:
            quote_form.add_error(None, error.message)
    context = {
        "design": design, "items": items, "slots_used": design_slots_used(design, items),
        "item_form": bound.get("item_form") or DesignItemForm(),
        "details_form": bound.get("details_form") or DesignDetailsForm(instance=design),
        "logo_form": bound.get("logo_form") or LogoForm(),
        "quote_form": quote_form, "quote": quote, **builder_choices(),
    }
    return render(request, "shop/gifts/design.html", context, status=status)


@require_POST
@login_required
def design_item(request, design_id):
    design = _design_or_404(request, design_id)
    form = DesignItemForm(request.POST)
    if form.is_valid():
        try:
            gift_designs.design_set_item_for_member(design, form.cleaned_data["variant"], form.cleaned_data["quantity"])
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
    response = FileResponse(design.logo.open("rb"), content_type=gift_designs.logo_content_type(design.logo.name))
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"  # an SVG runs nothing
    return response


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
    response = HttpResponse(quote_pdf(design, quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="quote-{design.pk}-{quote.quantity}.pdf"'
    return response
