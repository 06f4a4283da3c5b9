"""Existing entries get their programme where their target names it cheaply; then, on
PostgreSQL, a trigger makes the table append-only below the ORM too.

Only entries whose target is a programme, a cohort, an application, one of certificates' or one of
courses' objects are given a programme: one lookup per kind, grouped by programme. Every other entry keeps a NULL programme (it is
still shown to platform admins in the Django admin).

The trigger refuses every DELETE and every UPDATE except the one Django itself makes when a user
is deleted: `actor` set to NULL (`on_delete=SET_NULL`), nothing else changed. A migration that
must rewrite entries (a model moved to another app renames their `target_type`) sets
`SET LOCAL cohortline.audit_maintenance = 'on'` in its transaction first. This migration comes
after the last one that did so without it (cohorts 0009).
"""

from collections import defaultdict

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('cohortline.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        -- The actor's account was deleted: the entry stays, pseudonymised.
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries cannot be changed or deleted (% on core_auditentry)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def _is_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def backfill_programmes(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditEntry = apps.get_model("core", "AuditEntry")
    Cohort = apps.get_model("cohorts", "Cohort")
    Application = apps.get_model("applications", "Application")

    def ids_of(target_type):
        return [
            int(value)
            for value in AuditEntry.objects.using(db)
            .filter(target_type=target_type, programme_id__isnull=True)
            .values_list("target_id", flat=True)
            .distinct()
            if value.isdigit()
        ]

    def fill(target_type, programme_of):
        by_programme = defaultdict(list)
        for target_id, programme_id in programme_of.items():
            by_programme[programme_id].append(str(target_id))
        for programme_id, target_ids in by_programme.items():
            AuditEntry.objects.using(db).filter(
                target_type=target_type, target_id__in=target_ids, programme_id__isnull=True
            ).update(programme_id=programme_id)

    programme_ids = ids_of("programmes.programme")
    fill("programmes.programme", {pk: pk for pk in programme_ids})
    cohort_ids = ids_of("cohorts.cohort")
    fill(
        "cohorts.cohort",
        dict(Cohort.objects.using(db).filter(pk__in=cohort_ids).values_list("pk", "programme_id")),
    )
    application_ids = ids_of("applications.application")
    fill(
        "applications.application",
        dict(
            Application.objects.using(db)
            .filter(pk__in=application_ids)
            .values_list("pk", "cohort__programme_id")
        ),
    )
    # Certificates' and courses' entries, through their cohort or course.
    for app_label, model_name, path in [
        ("certificates", "certificationrule", "cohort__programme_id"),
        ("certificates", "certificate", "cohort__programme_id"),
        ("certificates", "waiver", "cohort__programme_id"),
        ("certificates", "signoff", "cohort__programme_id"),
        ("certificates", "issuerun", "cohort__programme_id"),
        ("courses", "course", "programme_id"),
        ("courses", "classsession", "course__programme_id"),
        ("courses", "enrollment", "course__programme_id"),
        ("courses", "assessment", "course__programme_id"),
    ]:
        target_type = f"{app_label}.{model_name}"
        model = apps.get_model(app_label, model_name)
        fill(
            target_type,
            dict(
                model.objects.using(db)
                .filter(pk__in=ids_of(target_type))
                .values_list("pk", path)
            ),
        )


def add_guard(apps, schema_editor):
    if _is_postgresql(schema_editor):
        schema_editor.execute(TRIGGER_SQL, params=None)


def remove_guard(apps, schema_editor):
    if _is_postgresql(schema_editor):
        schema_editor.execute(DROP_TRIGGER_SQL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_audit_programme_and_request_id"),
        # Read for the backfill; and cohorts 0009 rewrites entries, so it must come first.
        ("cohorts", "0011_rule_values_as_codes"),
        ("applications", "0003_status_counts"),
        ("certificates", "0001_initial"),
        ("courses", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill_programmes, migrations.RunPython.noop),
        migrations.RunPython(add_guard, remove_guard),
    ]
