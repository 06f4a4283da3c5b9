"""Copy the consent each submitted application recorded (notice version and time) into the
person's consent records: one record per person and notice version, given at the earliest
submission under it. Records already there are kept; going back leaves the records, which are
never deleted."""

from django.db import migrations
from django.db.models import Min


def forwards(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    ConsentRecord = apps.get_model("accounts", "ConsentRecord")
    given = (
        Application.objects.exclude(consent_version="")
        .filter(consent_at__isnull=False)
        .values("applicant_id", "consent_version")
        .annotate(given_at=Min("consent_at"))
        .order_by("applicant_id", "consent_version")
    )
    existing = set(
        ConsentRecord.objects.filter(purpose="processing").values_list("user_id", "notice_version")
    )
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                user_id=row["applicant_id"],
                purpose="processing",
                notice_version=row["consent_version"],
                given_at=row["given_at"],
            )
            for row in given.iterator(chunk_size=2000)
            if (row["applicant_id"], row["consent_version"]) not in existing
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_consent_record"),
        ("applications", "0004_change_stamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
