"""The timesheet grid (payroll staff): a pay period × employees × days, saved whole."""
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from payroll.selectors.time import time_grid
from payroll.services.payruns import pay_period_containing
from payroll.services.people import audit
from payroll.services.time import IMPORT_COLUMNS, TimeGridError, TimeImportError, time_grid_save, time_import, time_period_approve
from shop.platform import csv_export
from shop.platform.roles import PAYROLL_STAFF, role_required
from shop.platform.validators import date_param
from shop.platform.security import no_store

BAD_HOURS = "Enter hours as a number such as 7.5 (at most two decimals), or leave the cell blank."


def _period_day(request) -> date:
    """The day asked for, or today when it is not a date in the sane window (year 1 or 9999
    would overflow working out the pay period around it)."""
    return date_param(request.GET.get("start") or request.POST.get("start") or "") or timezone.localdate()


def _parse(value: str):
    """Hours typed in a cell: blank is 0; None when it is not a number of hours."""
    value = (value or "").strip()
    if not value:
        return Decimal("0")
    try:
        hours = Decimal(value)
    except InvalidOperation:
        return None
    if not hours.is_finite() or hours.as_tuple().exponent < -2 or abs(hours) >= 1000:
        return None
    return hours


def _url(start: date) -> str:
    return f"{reverse('payroll:time_grid')}?start={start.isoformat()}"


@role_required(PAYROLL_STAFF)
def grid(request):
    """GET shows the period; POST saves every changed cell, or none of them."""
    day = _period_day(request)
    cell_errors, posted = {}, None
    if request.method == "POST":
        shown = time_grid(day)
        posted, cells = {}, {}
        for row in shown.rows:
            for kind_cells in row.cells.values():
                for cell in kind_cells:
                    if cell.locked or cell.name not in request.POST:
                        continue
                    hours = _parse(request.POST[cell.name])
                    if hours is None:
                        cell_errors[cell.name] = BAD_HOURS
                        continue
                    posted[cell.name] = hours
                    cells[(row.employee.pk, cell.day, cell.kind)] = hours
        if not cell_errors:
            try:
                changed = time_grid_save(cells, request.user, confirmed_long_day=request.POST.get("confirm_long_day") == "1")
            except TimeGridError as error:
                cell_errors = error.cells
            else:
                messages.success(request, f"Saved: {changed} cell{'s' if changed != 1 else ''} changed."
                                 + (" Approve the hours when they are right." if changed else ""))
                return redirect(_url(shown.start))
        raw = {name: request.POST.get(name, "") for name in cell_errors}
    else:
        raw = {}
    sheet = time_grid(day, posted=posted, errors=cell_errors, raw=raw)
    # Names of survivors were shown: recorded, as on the amounts page (ids only, no names).
    audit(request.user, "time.grid_viewed", None, ip=request.META.get("REMOTE_ADDR"),
          period_start=sheet.start, employees=[row.employee.pk for row in sheet.rows][:500])
    response = render(request, "payroll/time_grid.html", {
        "grid": sheet, "cell_errors": cell_errors, "raw": raw,
        "asks_confirm": any("more than 12" in message for message in cell_errors.values()),
    }, status=400 if cell_errors else 200)
    return no_store(response)


@require_POST
@role_required(PAYROLL_STAFF)
def approve(request):
    start, end, _ = pay_period_containing(_period_day(request))
    count = time_period_approve(start, end, request.user)
    messages.success(request, f"Approved {count} time entr{'ies' if count != 1 else 'y'}." if count else "Nothing was waiting for approval.")
    return redirect(_url(start))


MAX_UPLOAD = 1_000_000  # bytes: a pay period's hours fit in far less


@role_required(PAYROLL_STAFF)
def import_hours(request):
    """Upload a CSV of hours, see every row checked (nothing saved), then confirm: all or none."""
    context, status = {"columns": IMPORT_COLUMNS}, 200
    if request.method == "POST":
        if request.POST.get("confirm") == "1":
            text = request.POST.get("csv_text", "")
        else:
            upload = request.FILES.get("file")
            if upload is None or upload.size > MAX_UPLOAD:
                context["problems"] = [(1, "Choose a CSV file of at most 1 MB.")]
                return render(request, "payroll/time_import.html", context, status=400)
            try:
                text = csv_export.decode(upload.read())
            except csv_export.CsvReadError as error:
                context["problems"] = [(1, str(error))]
                return render(request, "payroll/time_import.html", context, status=400)
        commit = request.POST.get("confirm") == "1"
        try:
            entries = time_import(text, request.user, commit=commit)
        except TimeImportError as error:
            context["problems"], status = error.rows, 400
        else:
            if commit:
                messages.success(request, f"Imported {len(entries)} time entr{'ies' if len(entries) != 1 else 'y'}; approve them in the timesheet.")
                return redirect(_url(min(e.date for e in entries)))
            context.update(preview=entries, csv_text=text)
    response = render(request, "payroll/time_import.html", context, status=status)
    return no_store(response)
