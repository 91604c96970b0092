"""Survivor employees' records, for payroll staff: the audited, one-time reveal of a number."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from payroll.forms.people import EmployeeHireForm
from payroll.models import Employee
from payroll.services.people import (
    REVEALABLE,
    W4_HIRE_FIELDS,
    EmployeeError,
    PayRateNeedsConfirmation,
    employee_hire,
    employee_number_reveal,
)
from shop.platform.roles import PAYROLL_STAFF, role_required
from shop.platform.security import private_page


@require_POST
@never_cache
@private_page
@role_required(PAYROLL_STAFF)
def employee_reveal(request, employee_id: int):
    employee = get_object_or_404(Employee, pk=employee_id)
    field = request.POST.get("field", "")
    try:
        number = employee_number_reveal(employee, field, request.user, ip=request.META.get("REMOTE_ADDR"))
    except EmployeeError as error:
        return render(request, "payroll/people/reveal.html", {"employee": employee, "error": error.message}, status=400)
    return render(request, "payroll/people/reveal.html",
                  {"employee": employee, "label": REVEALABLE[field], "number": number})


PERSON_FIELDS = ("legal_name", "preferred_name", "ssn", "address", "mailing_address", "email", "phone", "status", "hire_date", "i9_completed_on")


@never_cache
@private_page
@role_required(PAYROLL_STAFF)
def employee_add(request):
    """Payroll staff add an employee (not through the admin): one service, one transaction."""
    form = EmployeeHireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = {f: data[f] for f in PERSON_FIELDS if data.get(f) not in (None, "")}
        person.update(legal_name=data["legal_name"].strip(), preferred_name=data["preferred_name"].strip())
        if data.get("date_of_birth"):
            person["date_of_birth"] = data["date_of_birth"].isoformat()
        bank = ({"routing": data["bank_routing"], "account": data["bank_account"], "account_type": data["bank_account_type"]}
                if data.get("bank_account") else None)
        try:
            employee = employee_hire(actor=request.user, person=person, w4={f: data[f] for f in W4_HIRE_FIELDS},
                                     rate=data["rate"], bank=bank, confirmed_rate=data["confirm_unusual"])
        except PayRateNeedsConfirmation as error:
            form.add_error("confirm_unusual", error.message)
        except EmployeeError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"{employee.staff_label} was added (employee {employee.pk})."
                             + (" A prenote goes to the bank with the next pay run; they are paid by check until it clears."
                                if bank else " With no bank details they are paid by paper check."))
            return redirect("admin:payroll_employee_change", employee.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "payroll/people/add.html", {"form": form}, status=status)


# -- employees' change requests -------------------------------------------------------------


def _own_employee(request):
    from django.http import Http404

    employee = getattr(request.user, "employee", None) if request.user.is_authenticated else None
    if employee is None:
        raise Http404("No employee record for this login")
    return employee


@never_cache
@private_page
def my_requests(request):
    """/me/requests/: ask payroll to change your W-4, address or bank account; see each request's state."""
    from django.contrib.auth.views import redirect_to_login

    from payroll.forms.people import REQUEST_FORMS
    from payroll.services.people import change_request_submit

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    employee = _own_employee(request)
    kind = request.POST.get("kind", "") if request.method == "POST" else ""
    forms = {k: form_class(request.POST if k == kind else None, prefix=k) for k, form_class in REQUEST_FORMS.items()}
    status = 200
    if request.method == "POST":
        form = forms.get(kind)
        if form is None:
            status = 400
            messages.error(request, "Choose what to change: your W-4, your address or your bank account.")
        elif form.is_valid():
            try:
                change_request_submit(employee, kind, form.cleaned_data, request.user)
            except EmployeeError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, "Your request was sent to payroll. You will see here when it is decided.")
                return redirect("payroll:my_requests")
        else:
            status = 400
    requests_ = list(employee.change_requests.order_by("-created_at", "-id")[:20])
    return render(request, "payroll/people/my_requests.html", {"forms": forms, "requests": requests_}, status=status)


@never_cache
@private_page
@role_required(PAYROLL_STAFF)
def change_requests(request):
    """Payroll staff's list of employees' requests waiting for a decision (numbers masked)."""
    from payroll.bank import mask
    from payroll.models import ChangeRequest
    from payroll.services.people import change_request_read

    pending = list(ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING).select_related("employee")
                   .order_by("created_at", "id"))
    rows = []
    for item in pending:
        data = change_request_read(item)
        if item.kind == ChangeRequest.Kind.BANK:
            data = {"routing": mask(data["routing"]), "account": mask(data["account"]), "account_type": data["account_type"]}
        rows.append((item, data))
    return render(request, "payroll/people/change_requests.html", {"rows": rows})


@require_POST
@role_required(PAYROLL_STAFF)
def change_request_action(request, request_id: int, action: str):
    from django.http import Http404

    from payroll.models import ChangeRequest
    from payroll.services.people import change_request_decide

    if action not in ("approve", "decline"):
        raise Http404("No such action")
    get_object_or_404(ChangeRequest, pk=request_id)
    try:
        change_request_decide(request_id, action == "approve", request.user, note=request.POST.get("note", ""))
    except EmployeeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The request was approved and applied." if action == "approve"
                         else "The request was declined.")
    return redirect("payroll:change_requests")
