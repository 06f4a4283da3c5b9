from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_disputes"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="anonymised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="anonymised at"),
        ),
    ]
