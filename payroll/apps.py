from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = "Payroll"

    def ready(self):
        from . import receivers  # noqa: F401  (listens to the facts shop announces, shop/platform/facts.py)
        from .services.volunteers.data_rights import register_volunteer_section

        register_volunteer_section()  # data rights: a volunteer's records join shop's export and erasure
