"""One payment record (issue 17), step 3 of 3: the Stripe ids now live on the payment rows
(moved by 0017), so the owners' own copies go."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0018_pay17_move_stripe_ids'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='donation',
            name='stripe_invoice_id',
        ),
        migrations.RemoveField(
            model_name='donation',
            name='stripe_payment_intent_id',
        ),
        migrations.RemoveField(
            model_name='donation',
            name='stripe_refund_id',
        ),
        migrations.RemoveField(
            model_name='giftorder',
            name='stripe_payment_intent_id',
        ),
    ]
