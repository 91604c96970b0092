from .accounts import User
from .addresses import Address
from .audit import AuditEvent, AuditLogIsAppendOnly
from .cart import Cart, CartLine
from .circles import CircleInvitation, GivingCircle
from .events import Event, EventTicket, HostingRequest, Sponsorship, SponsorshipTier, TicketType
from .catalog import Category, Product, ProductImage, ProductVariant
from .gifts import (
    BoxSize,
    ClassicBox,
    ClassicBoxItem,
    GiftDesign,
    GiftDesignItem,
    GiftOrder,
    GiftOrderLine,
    GiftRecipient,
    Invoice,
    InvoiceSequence,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    PaletteColour,
    Proof,
    RecipientList,
    Shipment,
    VolumeTier,
)
from .giving import (
    Donation,
    DonationChargeFailure,
    Donor,
    Fund,
    Receipt,
    ReceiptSequence,
    RecurringGift,
    StatementRun,
    YearEndStatement,
)
from .orders import Order, OrderLine
from .discounts import DiscountCode, OrderDiscount, OrderDiscountLine
from .giftcards import GiftCard, GiftCardEntry
from .pledge import Pledge
from .payments import Payment, PaymentStatusChange, Refund, RefundLine, StripeEvent
from .rates import ShippingMethod, TaxRate
from .surtax import CountySurtax
from .restock import RestockRequest

__all__ = [
    "GiftCard",
    "GiftCardEntry",
    "Address",
    "RestockRequest",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "CircleInvitation",
    "GivingCircle",
    "Event",
    "EventTicket",
    "HostingRequest",
    "Sponsorship",
    "SponsorshipTier",
    "TicketType",
    "Donation",
    "DonationChargeFailure",
    "Donor",
    "Fund",
    "Receipt",
    "ReceiptSequence",
    "RecurringGift",
    "StatementRun",
    "YearEndStatement",
    "Pledge",
    "GiftRecipient",
    "OrganisationInvitation",
    "RecipientList",
    "Shipment",
    "User",
    "Cart",
    "CartLine",
    "Category",
    "Product",
    "ProductImage",
    "ProductVariant",
    "BoxSize",
    "ClassicBox",
    "ClassicBoxItem",
    "GiftDesign",
    "GiftDesignItem",
    "GiftOrder",
    "GiftOrderLine",
    "Invoice",
    "InvoiceSequence",
    "Organisation",
    "OrganisationMember",
    "PaletteColour",
    "Proof",
    "VolumeTier",
    "Order",
    "OrderLine",
    "DiscountCode",
    "OrderDiscount",
    "OrderDiscountLine",
    "Payment",
    "PaymentStatusChange",
    "Refund",
    "RefundLine",
    "StripeEvent",
    "ShippingMethod",
    "CountySurtax",
    "TaxRate",
]
