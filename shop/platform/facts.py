"""Facts the shop announces, sent once the transaction that made them true has committed.

payroll listens to these (shop never imports payroll):

- ``order_paid(order_id)``: an order's payment was confirmed by Stripe.
- ``refund_confirmed(refund_id, order_id, line_amounts)``: Stripe confirmed a refund;
  ``line_amounts`` maps each order line id to the Decimal refunded on it.

- ``donation_received(donation_id, fund)``: Stripe confirmed a gift; designated gifts
  (survivor wages and job training) are credited to the wage fund by payroll.
- ``donation_refunded(donation_id, fund)``: a paid gift was refunded in full.

- ``gift_claims_cancelled(campaign_id, gift_order_id, boxes)``: after a claim-link order's
  expiry date, ``boxes`` unclaimed gifts were settled as account credit or a card refund
  (never made); payroll takes their wage content and assembly labour back.
- ``gift_claim_alternative(claim_id, gift_order_id)``: a recipient claimed an alternative box
  whose wages per box differ from the ordered box's (``GiftClaim.wage_adjustment``); payroll
  posts the difference once the order is paid.

- ``demo_seeded()``: the demo catalog, orders and staff exist; other apps add theirs.

Receivers must be idempotent: a sweeper may announce the same fact again.
"""
from django.db import transaction
from django.dispatch import Signal

order_paid = Signal()
refund_confirmed = Signal()
# A gift-box order was paid (card captured on proof approval, or its invoice paid).
gift_order_paid = Signal()
# Unclaimed gifts of a claim-link order were cancelled at its expiry (credit or refund).
gift_claims_cancelled = Signal()
# A recipient picked an alternative box carrying other wages than the ordered one.
gift_claim_alternative = Signal()
# Giving: a gift was paid / refunded (payroll credits or reverses designated gifts).
donation_received = Signal()
donation_refunded = Signal()
# Sent by ``seed_demo`` after the shop's demo data; receivers return lines to print.
demo_seeded = Signal()


def announce_on_commit(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender="shop", **kwargs))
