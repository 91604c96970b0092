"""One payment record (issue 17), step 1 of 3: payments name their owner (kind + one key),
carry every Stripe id, keep their status history; refunds need not belong to a shop order."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0016_price17_order_discounts'),
    ]

    operations = [
        migrations.CreateModel(
            name='PaymentStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_status', models.CharField(blank=True, max_length=40)),
                ('new_status', models.CharField(max_length=40)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='payment',
            name='currency',
            field=models.CharField(default='usd', max_length=3),
        ),
        migrations.AddField(
            model_name='payment',
            name='donation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='shop.donation'),
        ),
        migrations.AddField(
            model_name='payment',
            name='gift_order',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='shop.giftorder'),
        ),
        migrations.AddField(
            model_name='payment',
            name='kind',
            field=models.CharField(choices=[('order', 'Shop order'), ('gift_order', 'Gift box order'), ('gift', 'One-time gift'), ('monthly', 'Monthly gift (one month)'), ('ticket', 'Event tickets'), ('sponsorship', 'Event sponsorship')], default='order', max_length=12),
        ),
        migrations.AddField(
            model_name='payment',
            name='stripe_charge_id',
            field=models.CharField(blank=True, max_length=80, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='payment',
            name='stripe_invoice_id',
            field=models.CharField(blank=True, help_text="A monthly gift's month: the Stripe invoice it was charged by.", max_length=80, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='payment',
            name='order',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='shop.order'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='stripe_payment_intent_id',
            field=models.CharField(blank=True, max_length=80, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='refund',
            name='order',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='shop.order'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('donation__isnull', True), ('gift_order__isnull', True), ('kind', 'order'), ('order__isnull', False)), models.Q(('donation__isnull', True), ('gift_order__isnull', False), ('kind', 'gift_order'), ('order__isnull', True)), models.Q(('donation__isnull', False), ('gift_order__isnull', True), ('kind__in', ('gift', 'monthly', 'ticket', 'sponsorship')), ('order__isnull', True)), _connector='OR'), name='payment_one_owner_of_its_kind'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='payment_amount_not_negative'),
        ),
        migrations.AddField(
            model_name='paymentstatuschange',
            name='payment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='shop.payment'),
        ),
    ]
