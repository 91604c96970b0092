from .accounts import User
from .cart import Cart, CartLine
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
from .orders import Order, OrderLine
from .pledge import Pledge
from .payments import Payment, Refund, RefundLine, StripeEvent
from .rates import ShippingMethod, TaxRate

__all__ = [
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
    "Payment",
    "Refund",
    "RefundLine",
    "StripeEvent",
    "ShippingMethod",
    "TaxRate",
]
