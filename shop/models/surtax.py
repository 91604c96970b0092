"""Florida's county discretionary sales surtax, by county (read into the price calculation by
``shop/selectors/surtax.py``; staff keep it in the admin through ``shop/services/surtax.py``).

First loaded from ``shop/data/fl_county_surtax.csv`` (the Department of Revenue's Form DR-15DSS,
its source and date in that file's header) by migration 0024; the ZIP-to-county table stays a
shipped file, ``shop/data/fl_zip_counties.csv``.
"""
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .catalog import MONEY

MAX_SURTAX = Decimal("0.0300")  # no Florida county may levy more than 3% in all (s. 212.055, F.S.)
SURTAX_CAP = Decimal("5000.00")  # charged on the first $5,000 of a single item (s. 212.054(2)(b)1., F.S.)


class CountySurtax(models.Model):
    """One Florida county's total discretionary sales surtax, as a fraction (0.0150 is 1.5%)."""

    county = models.CharField(max_length=40, unique=True, help_text='As on Form DR-15DSS, without "County".')
    rate = models.DecimalField(max_digits=5, decimal_places=4,
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_SURTAX)],
                               help_text="As a fraction: 0.0150 is 1.5%.")
    cap = models.DecimalField(**MONEY, default=SURTAX_CAP,
                              validators=[MinValueValidator(Decimal("0.01"))],
                              help_text="The surtax is charged on at most this much of a single item.")
    note = models.CharField(max_length=200, blank=True, help_text="Where the rate was read, and when.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county"]
        verbose_name = "county surtax"
        verbose_name_plural = "county surtaxes"
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=MAX_SURTAX), name="county_surtax_range"),
            models.CheckConstraint(condition=models.Q(cap__gt=0), name="county_surtax_cap_positive"),
        ]

    def __str__(self):
        return f"{self.county} County: {self.rate:.2%}"
