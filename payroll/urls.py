from django.urls import path

from payroll import views

app_name = "payroll"

urlpatterns = [
    path("staff/wage-fund/", views.wage_fund, name="wage_fund"),
    path("staff/wage-fund/entries/<int:entry_id>/", views.journal_entry, name="journal_entry"),
]
