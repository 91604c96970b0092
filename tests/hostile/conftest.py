"""The fixtures the hostile-input tests borrow from the pages they attack."""
from tests.shop.test_checkout import shipping  # noqa: F401
from tests.shop.test_gift_fulfilment import acme  # noqa: F401
from tests.payroll.volunteers.test_pages import coordinator  # noqa: F401
