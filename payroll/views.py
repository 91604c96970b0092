from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from payroll.charts import flow_bars
from payroll.models import JournalEntry
from payroll.selectors.wage_fund import entry_source, fund_balance, journal, payroll_outlook, weekly_flows
from shop.roles import PAYROLL_STAFF, role_required


@role_required(PAYROLL_STAFF)
def wage_fund(request):
    balance = fund_balance()
    today = timezone.localdate()
    flows = weekly_flows(today)
    page = Paginator(journal(), 25).get_page(request.GET.get("page"))
    context = {
        "balance": balance,
        "training_balance": fund_balance("training_fund"),
        "flows": flows,
        "chart": flow_bars(flows),
        "outlook": payroll_outlook(balance, today),
        "page": page,
    }
    return render(request, "payroll/wage_fund.html", context)


@role_required(PAYROLL_STAFF)
def journal_entry(request, entry_id):
    entry = JournalEntry.objects.prefetch_related("postings__account").filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry")
    return render(request, "payroll/journal_entry.html", {"entry": entry, "source": entry_source(entry)})
