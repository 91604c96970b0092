"""Survivor employees' records, for payroll staff: the audited, one-time reveal of a number."""
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from payroll.models import Employee
from payroll.services.people import REVEALABLE, EmployeeError, employee_number_reveal
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
