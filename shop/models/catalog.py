from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

MONEY = {"max_digits": 10, "decimal_places": 2}


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:category", args=[self.slug])


class Product(models.Model):
    """A survivor-made good. Price and stock live on its variants.

    ``story`` tells how the piece is made, never who made it. ``maker_credit`` is written
    only by payroll's consent service while the maker's consent allows it.
    """

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    story = models.TextField(blank=True, help_text="How it is made. Never a survivor's identity.")
    wage_content = models.DecimalField(
        **MONEY,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Part of each unit's price that funds survivor wages (USD).",
    )
    maker_credit = models.CharField(max_length=60, blank=True, editable=False)
    gift_slots = models.PositiveSmallIntegerField(
        default=1, help_text="Slots one piece takes in a gift box (0: not offered in gift boxes)."
    )
    is_active = models.BooleanField(default=True)
    # A gift card (shop/models/giftcards.py): its variants are the fixed amounts; a chosen
    # amount between the bounds is offered when both are set. It carries no wage content.
    is_gift_card = models.BooleanField(default=False, help_text="Sold as a gift card, delivered by e-mail.")
    gift_card_min = models.DecimalField(**MONEY, null=True, blank=True,
                                        help_text="A gift card: the least amount a customer may choose.")
    gift_card_max = models.DecimalField(**MONEY, null=True, blank=True,
                                        help_text="A gift card: the most a customer may choose.")
    created_at = models.DateTimeField(auto_now_add=True)
    # The search document, written only by shop.services.search when the product, its variants
    # or its category change (see shop/search.py): weighted words for the embedded SQLite
    # default, plain words for trigram similarity and the tsvector (A name, B variants, colours
    # and category, C description) for PostgreSQL. On PostgreSQL only, migration
    # 0021_h21search_search makes GIN indexes on search_vector and on search_text (gin_trgm_ops);
    # they are not in Meta.indexes, since SQLite cannot make a GIN index when it rebuilds the table.
    search_words = models.TextField(blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(wage_content__gte=0), name="product_wage_content_non_negative"),
            models.CheckConstraint(condition=models.Q(is_gift_card=False) | models.Q(wage_content=0),
                                   name="product_gift_card_no_wage_content"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.is_gift_card and self.wage_content:
            raise ValidationError({"wage_content": "A gift card carries no wage content: the goods it buys do."})
        low, high = self.gift_card_min, self.gift_card_max
        if (low is None) != (high is None):
            raise ValidationError({"gift_card_max": "Set both bounds of a chosen amount, or neither."})
        if low is not None and not (0 < low <= high):
            raise ValidationError({"gift_card_max": "The bounds are above $0.00 and the least is at most the most."})

    def get_absolute_url(self):
        return reverse("shop:product", args=[self.slug])

    @property
    def maker_line(self):
        if self.maker_credit:
            return f"Made by {self.maker_credit}"
        return "Made by one of our artisans"


class ProductVariant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=40, unique=True)
    options = models.JSONField(default=dict, blank=True, help_text='Option values, e.g. {"colour": "Indigo"}.')
    price = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    stock = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="variant_price_positive"),
        ]

    def __str__(self):
        return f"{self.product.name} ({self.label})" if self.label else self.product.name

    @property
    def label(self):
        return " / ".join(str(v) for v in self.options.values())

    @property
    def in_stock(self):
        return self.stock > 0

    def clean(self):
        if not isinstance(self.options, dict):
            raise ValidationError({"options": "Options must be an object of name: value pairs."})
        # None when the product form could not read it: that form says so, this rule waits for it.
        wage_content = getattr(getattr(self, "product", None), "wage_content", None)
        if self.price is not None and wage_content is not None and self.price < wage_content:
            raise ValidationError({"price": "The price cannot be less than the product's wage content."})


def product_image_path(instance, filename):
    return f"products/{instance.product.slug}/{filename}"


class ProductImage(models.Model):
    """One picture of a product, in the gallery's order (``position``, then upload order).

    Written by ``shop.services.images`` only: it checks the upload is a real picture within
    the limits and records its size; the worker then writes its ``renditions`` (several widths,
    WebP and a JPEG or PNG fallback) and the pages offer them as ``srcset``s."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path)
    alt_text = models.CharField(
        max_length=200, help_text="What the picture shows, for people who cannot see it (required).")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the gallery: the lowest is shown first.")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    # {"webp": [[width, height, name], ...], "fallback": [[width, height, name], ...],
    #  "fallback_type": "image/jpeg" | "image/png"}, narrowest first; {} until the worker made them.
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(alt_text=""), name="product_image_alt_text_required"),
        ]

    def __str__(self):
        return self.alt_text
