"""'E-mail me when it's back': one request per address and sold-out variant, e-mailed once."""
from django.db import models
from django.db.models.functions import Lower


class RestockRequest(models.Model):
    variant = models.ForeignKey("shop.ProductVariant", on_delete=models.CASCADE, related_name="restock_requests")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the variant came back and the e-mail was queued (once).")
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the e-mail left.")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint("variant", Lower("email"), name="one_restock_request_per_variant_email")]
        indexes = [models.Index(fields=["variant", "notified_at"], name="restock_waiting_idx")]

    def __str__(self):
        return f"Restock request #{self.pk}"
