from .accounts import User
from .cart import Cart, CartLine
from .catalog import Category, Product, ProductImage, ProductVariant
from .rates import ShippingMethod, TaxRate

__all__ = [
    "User",
    "Cart",
    "CartLine",
    "Category",
    "Product",
    "ProductImage",
    "ProductVariant",
    "ShippingMethod",
    "TaxRate",
]
