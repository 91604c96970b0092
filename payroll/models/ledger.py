"""The wage-fund ledger: double entry, append-only.

A posting's amount is signed: positive is a debit, negative a credit, and the postings of
an entry sum to zero. Entries and postings are never updated or deleted (PostgreSQL
enforces it with triggers); a correction is a reversing entry. Balances are sums.
"""
from django.db import models

MONEY = {"max_digits": 12, "decimal_places": 2}
APPEND_ONLY = "The ledger is append-only: post a reversing entry instead."


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(APPEND_ONLY)

    def delete(self):
        raise PermissionError(APPEND_ONLY)


class AppendOnly(models.Model):
    """Rows are written once. The database refuses changes too (PostgreSQL triggers)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(APPEND_ONLY)


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", "Asset"
        LIABILITY = "liability", "Liability"
        NET_ASSETS = "net_assets", "Net assets (restricted fund)"
        REVENUE = "revenue", "Revenue"
        EXPENSE = "expense", "Expense"

    CREDIT_NORMAL = {Kind.LIABILITY, Kind.NET_ASSETS, Kind.REVENUE}

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def credit_normal(self) -> bool:
        return self.kind in self.CREDIT_NORMAL


class JournalEntry(AppendOnly):
    date = models.DateField(db_index=True)
    memo = models.CharField(max_length=200)
    source_type = models.CharField(max_length=30, db_index=True)
    source_id = models.BigIntegerField(null=True, db_index=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnly.Meta):
        abstract = False
        ordering = ["-date", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["source_type", "source_id"], name="entry_source")]
        constraints = [
            # An order line's wage credit is posted once, whatever its idempotency key says: the
            # batch insert (ON CONFLICT DO NOTHING) skips a line another batch credited first.
            models.UniqueConstraint(fields=["source_type", "source_id"], condition=models.Q(source_type="order_line"),
                                    name="entry_one_credit_per_order_line"),
        ]

    def __str__(self):
        return f"{self.date} {self.memo}"


class Posting(AppendOnly):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.DecimalField(**MONEY, help_text="Positive is a debit, negative a credit.")

    class Meta(AppendOnly.Meta):
        abstract = False
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="posting_amount_not_zero")]

    def __str__(self):
        return f"{self.account.code} {self.amount}"
