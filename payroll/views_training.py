"""Training pages for program staff (superusers pass). Every read of a participant's
record is audited as ``training.viewed`` (or .transcript/.exported) with the address."""
import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from payroll.admin import masked_name
from payroll.models import Employee
from payroll.selectors.training import (
    participant_export,
    participant_list,
    participant_record,
    training_dashboard,
)
from payroll.services.people import audit
from payroll.services.training_transcript import transcript_pdf
from shop.roles import PROGRAM_STAFF, role_required


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def _private(response):
    response["Cache-Control"] = "no-store"
    return response


def _record_or_404(employee_id):
    record = participant_record(employee_id)
    if record is None:
        raise Http404("No such participant")
    return record


@role_required(PROGRAM_STAFF)
def participants(request):
    people = [{"employee": e, "masked": masked_name(e.legal_name), "enrollments": list(e.enrollments.all())}
              for e in participant_list()]
    return _private(render(request, "payroll/training/participants.html", {"people": people}))


@role_required(PROGRAM_STAFF)
def participant(request, employee_id):
    record = _record_or_404(employee_id)
    audit(request.user, "training.viewed", record["employee"], ip=_ip(request))
    return _private(render(request, "payroll/training/participant.html", record))


@role_required(PROGRAM_STAFF)
def participant_transcript(request, employee_id):
    record = _record_or_404(employee_id)
    if not record["transcript_shareable"]:
        audit(request.user, "training.transcript_refused", record["employee"], ip=_ip(request))
        response = render(request, "payroll/training/transcript_refused.html", record, status=403)
        return _private(response)
    audit(request.user, "training.transcript", record["employee"], ip=_ip(request))
    response = HttpResponse(transcript_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="training-transcript-{record["employee"].pk}.pdf"'
    return _private(response)


@role_required(PROGRAM_STAFF)
def participant_export_json(request, employee_id):
    data = participant_export(employee_id)
    if data is None:
        raise Http404("No such participant")
    audit(request.user, "training.exported", Employee.objects.get(pk=employee_id), ip=_ip(request))
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="training-record-{employee_id}.json"'
    return _private(response)


def _year(request):
    asked = request.GET.get("year", "")
    return int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else timezone.localdate().year


@role_required(PROGRAM_STAFF)
def dashboard(request):
    return render(request, "payroll/training/dashboard.html", training_dashboard(_year(request)))


@role_required(PROGRAM_STAFF)
def dashboard_csv(request):
    data = training_dashboard(_year(request))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for _, title in data["columns"]])
    for row in [*data["rows"], data["total"]]:
        writer.writerow([getattr(row, key) for key, _ in data["columns"]])
    writer.writerow([])
    writer.writerow(["Credentials earned this year", data["credentials_this_year"]])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="training-outcomes-{data["year"]}.csv"'
    return _private(response)
