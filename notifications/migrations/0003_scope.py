# Notifications keep an opaque scope string instead of a foreign key to cohorts.Programme.

from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

PREFIX = "programme:"
SCOPE_HELP = 'What the message belongs to, as set by the sender (e.g. "programme:12").'


def scope_from_programme(apps, schema_editor):
    """One UPDATE per table: scope = "programme:<programme_id>"."""
    for name in ("Notification", "EmailMessage"):
        model = apps.get_model("notifications", name)
        model.objects.using(schema_editor.connection.alias).filter(
            programme__isnull=False
        ).update(scope=Concat(Value(PREFIX), Cast("programme_id", output_field=CharField())))


def programme_from_scope(apps, schema_editor):
    """One UPDATE per table and programme: programme_id back from "programme:<id>" scopes
    whose programme still exists."""
    db = schema_editor.connection.alias
    programme_ids = set(
        apps.get_model("cohorts", "Programme").objects.using(db).values_list("pk", flat=True)
    )
    for name in ("Notification", "EmailMessage"):
        model = apps.get_model("notifications", name)
        scopes = (
            model.objects.using(db)
            .filter(scope__startswith=PREFIX)
            .values_list("scope", flat=True)
            .distinct()
        )
        for scope in list(scopes):
            suffix = scope.removeprefix(PREFIX)
            if suffix.isdigit() and int(suffix) in programme_ids:
                model.objects.using(db).filter(scope=scope).update(programme_id=int(suffix))
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now, so that the table can be altered next.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0008_decisions_exact"),
        ("notifications", "0002_decisions_exact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="emailmessage",
            name="scope",
            field=models.CharField(
                blank=True, db_index=True, help_text=SCOPE_HELP, max_length=64, verbose_name="scope"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="scope",
            field=models.CharField(
                blank=True, db_index=True, help_text=SCOPE_HELP, max_length=64, verbose_name="scope"
            ),
        ),
        migrations.RunPython(scope_from_programme, programme_from_scope),
        migrations.RemoveIndex(
            model_name="emailmessage",
            name="notificatio_program_07bc67_idx",
        ),
        migrations.RemoveField(
            model_name="emailmessage",
            name="programme",
        ),
        migrations.RemoveField(
            model_name="notification",
            name="programme",
        ),
        migrations.AddIndex(
            model_name="emailmessage",
            index=models.Index(fields=["scope", "status"], name="notificatio_scope_78473e_idx"),
        ),
    ]
