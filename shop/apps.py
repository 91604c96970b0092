from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login cart merge)
        from .platform import audit  # noqa: F401  (connects the role and price audit)
        from .platform.redact import install_log_redaction

        install_log_redaction()  # no SSN, bank or card number or e-mail address reaches a log
        from .platform import security  # noqa: F401  (logs failed logins to the security logger)
        from .services.data_rights import register_shop_sections

        from django.db.models.signals import m2m_changed

        from .models import User
        from .platform.roles import forget_role_names

        m2m_changed.connect(forget_role_names, sender=User.groups.through, dispatch_uid="forget_role_names")
        register_shop_sections()  # data rights: the shop's sections of a person's data (payroll adds its own)
