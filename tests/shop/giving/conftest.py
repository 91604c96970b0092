import pytest

from shop.services.donations import GiftDetails
from tests.support.stripe_helpers import post_webhook


def details(**overrides) -> GiftDetails:
    data = dict(amount="50.00", monthly=False, fund="general", cover_fees=False, anonymous=False, name="Dana Donor",
                email="dana@example.org", address_line1="1 Main St", city="Tampa", state="FL", postal_code="33602")
    data.update(overrides)
    from decimal import Decimal

    data["amount"] = Decimal(str(data["amount"]))
    return GiftDetails(**data)


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Post a signed webhook and run everything it enqueues (eager Celery) on commit."""
    def _deliver(body):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_webhook(client, body)
        assert response.status_code == 200
        return response

    return _deliver
