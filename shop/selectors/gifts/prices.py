"""A gift box's price broken down, line by line, as every page, e-mail and PDF shows it.

One list of lines from one source: a quote (``GiftQuote``, the calculation in
``shop/services/gifts/quote.py``) or an order (the figures ``GiftOrder`` froze when it was
placed). Nothing is priced here: each line is a figure of its source, in order, so that the
lines marked ``adds`` sum to the total and the total less the account credit is the amount due.
"""
from dataclasses import dataclass
from decimal import Decimal

from shop.platform.money import quantize
from shop.templatetags.money import percent, usd

# The tax line's wording, one for every page, lives with the model (shop/models/gifts.py).
from shop.models.gifts import EACH_RECIPIENT, order_tax_state, sales_tax_label  # noqa: E402,F401


@dataclass(frozen=True)
class PriceLine:
    label: str
    amount: Decimal
    kind: str = ""  # "" a line; "subtotal"; "hint" (an aside, not summed); "grand" (a total)
    minus: bool = False  # taken off: shown as −$x

    @property
    def shown(self) -> str:
        return f"−{usd(self.amount)}" if self.minus else usd(self.amount)

    @property
    def printed(self) -> str:
        """As a PDF prints it: its standard fonts have no minus sign (U+2212), so a hyphen."""
        return f"-{usd(self.amount)}" if self.minus else usd(self.amount)


def _lines(*, quantity, items_price, base_price, fees, box_price, boxes_before_discount, discount, discount_percent,
           discount_from, boxes_subtotal, shipping, tax_label, tax, total, credit, due, split_known=True):
    lines = []
    if split_known:
        lines += [PriceLine("Items in the box", items_price), PriceLine("The box, packed by hand", base_price)]
        lines += [PriceLine(name, amount) for name, amount in fees]
        lines.append(PriceLine("Per box", box_price, "subtotal"))
    lines.append(PriceLine(f"{quantity} box{'es' if quantity != 1 else ''} × {usd(box_price)}", boxes_before_discount))
    if discount:
        tier = f": {discount_from} or more, {percent(discount_percent)} off" if discount_percent and discount_from else ""
        lines += [PriceLine(f"Volume discount{tier}", discount, minus=True),
                  PriceLine("Boxes after the discount", boxes_subtotal, "subtotal"),
                  PriceLine("That is, per box", quantize(boxes_subtotal / quantity), "hint")]
    lines += [PriceLine("Shipping", shipping), PriceLine(tax_label, tax), PriceLine("Total", total, "grand")]
    if credit:
        lines += [PriceLine("Account credit", credit, minus=True),
                  PriceLine("To pay" if due else "To pay (the account credit paid it all)", due, "grand")]
    return lines


def quote_price_lines(quote, credit: Decimal | None = None) -> list[PriceLine]:
    """A quote's lines; ``credit`` is the account credit it would spend (the builder's)."""
    return _lines(quantity=quote.quantity, items_price=quote.items_price, base_price=quote.base_price, fees=quote.fees,
                  box_price=quote.box_price, boxes_before_discount=quote.boxes_before_discount, discount=quote.discount,
                  discount_percent=quote.discount_percent, discount_from=quote.discount_from,
                  boxes_subtotal=quote.boxes_subtotal, shipping=quote.shipping, tax_label=quote.tax_label,
                  tax=quote.tax, total=quote.total, credit=credit, due=quote.total - credit if credit else None)


def box_price_lines(quote) -> list[PriceLine]:
    """Only the price of one box, split (items, the box, each fee, per box): the claim-link
    order form, where the number of boxes is still to be chosen."""
    lines = quote_price_lines(quote)
    return lines[:[line.label for line in lines].index("Per box") + 1]


def order_price_lines(order) -> list[PriceLine]:
    """An order's lines, from what it froze when it was placed (the box's split only when it
    was kept: ``GiftOrder.split_known``) and the account credit it spent."""
    return _lines(quantity=order.quantity, items_price=order.items_price, base_price=order.base_price, fees=order.fees,
                  box_price=order.box_price, boxes_before_discount=order.boxes_before_discount, discount=order.discount,
                  discount_percent=order.discount_percent, discount_from=order.discount_from,
                  boxes_subtotal=order.boxes_subtotal, shipping=order.shipping,
                  tax_label=order.tax_label,
                  tax=order.tax, total=order.total, credit=order.credit_applied, due=order.amount_due,
                  split_known=order.split_known)
