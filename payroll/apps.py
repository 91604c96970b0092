from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = "Payroll"

    def ready(self):
        from . import signals  # noqa: F401  (listens to shop's announcements)
        from .services.volunteer_data_rights import register_volunteer_section

        register_volunteer_section()  # data rights: a volunteer's records join shop's export and erasure
