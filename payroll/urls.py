from django.urls import path

from payroll import views, views_training

app_name = "payroll"

urlpatterns = [
    path("staff/wage-fund/", views.wage_fund, name="wage_fund"),
    path("staff/wage-fund/entries/<int:entry_id>/", views.journal_entry, name="journal_entry"),
    path("staff/payroll/runs/", views.payrun_list, name="payruns"),
    path("staff/payroll/runs/<int:run_id>/", views.payrun_detail, name="payrun"),
    path("staff/payroll/runs/<int:run_id>/progress/", views.payrun_progress, name="payrun_progress"),
    path("staff/payroll/runs/<int:run_id>/nacha/", views.payrun_nacha_download, name="payrun_nacha"),
    path("staff/payroll/runs/<int:run_id>/<slug:action>/", views.payrun_action, name="payrun_action"),
    path("staff/payroll/reports/", views.payroll_reports, name="reports"),
    path("staff/payroll/w2/<int:year>.csv", views.w2_export, name="w2_export"),
    path("staff/training/participants/", views_training.participants, name="training_participants"),
    path("staff/training/participants/<int:employee_id>/", views_training.participant, name="training_participant"),
    path("staff/training/participants/<int:employee_id>/transcript.pdf", views_training.participant_transcript,
         name="training_transcript"),
    path("staff/training/participants/<int:employee_id>/export.json", views_training.participant_export_json,
         name="training_export"),
    path("staff/training/participants/<int:employee_id>/export.pdf", views_training.participant_export_pdf,
         name="training_export_pdf"),
    path("staff/training/participants/<int:employee_id>/<slug:action>/", views_training.participant_action,
         name="training_participant_action"),
    path("staff/training/dashboard/", views_training.dashboard, name="training_dashboard"),
    path("staff/training/dashboard.csv", views_training.dashboard_csv, name="training_dashboard_csv"),
    path("me/pay/", views.my_pay_page, name="my_pay"),
    path("me/time/", views.my_time, name="my_time"),
    path("me/pay/stubs/<int:stub_id>/pdf/", views.pay_stub_pdf_download, name="pay_stub_pdf"),
]
