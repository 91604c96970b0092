from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = "Payroll"

    def ready(self):
        from . import kiosk, receivers  # noqa: F401  (receivers: the facts shop announces; kiosk: a login ends kiosk mode)
        from .services.volunteers.data_rights import register_volunteer_section

        register_volunteer_section()  # data rights: a volunteer's records join shop's export and erasure
