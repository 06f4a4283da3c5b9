"""Every committed change to a cohort's applications leaves a change row stamped with the id of
its transaction, so that a count made earlier can be proven still exact (see
`selectors.application_filtered_page`).

On PostgreSQL only. The change rows get an `xid` column (the writing transaction's id, 64 bits,
never wrapping) and an index by cohort and xid; the UPDATE trigger also writes a row of n = 0
for each cohort whose rows a statement changed in any column, so a rename leaves its stamp as
a transition does. Existing rows get this migration's transaction id, which invalidates nothing
that could have been cached before it (nothing was).
"""

from django.db import migrations

TABLE = '"cohorts_application"'
COUNTS = '"applications_statuscountchange"'

COUNT_CHANGES = (
    f"INSERT INTO {COUNTS} (cohort_id, status, n) "
    "SELECT cohort_id, status, sum(n) FROM ("
    " SELECT o.cohort_id, o.status, -1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id"
    " WHERE (o.cohort_id, o.status) IS DISTINCT FROM (w.cohort_id, w.status)"
    " UNION ALL"
    " SELECT w.cohort_id, w.status, 1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id"
    " WHERE (o.cohort_id, o.status) IS DISTINCT FROM (w.cohort_id, w.status)"
    ") AS changes GROUP BY 1, 2 HAVING sum(n) <> 0"
)
# One n = 0 row per cohort (old and new) whose rows the statement changed in any column.
STAMPS = (
    f"INSERT INTO {COUNTS} (cohort_id, status, n) "
    "SELECT DISTINCT cohort_id, status, 0 FROM ("
    " SELECT o.cohort_id, o.status FROM old_rows o JOIN new_rows w ON w.id = o.id"
    " WHERE o IS DISTINCT FROM w"
    " UNION"
    " SELECT w.cohort_id, w.status FROM old_rows o JOIN new_rows w ON w.id = o.id"
    " WHERE o IS DISTINCT FROM w"
    ") AS changed"
)


def _update_function(body: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION application_status_count_update() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {COUNTS} ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()"
    )
    schema_editor.execute(f"CREATE INDEX status_count_stamp ON {COUNTS} (cohort_id, xid)")
    schema_editor.execute(_update_function(f"{COUNT_CHANGES}; {STAMPS};"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_update_function(f"{COUNT_CHANGES};"))
    schema_editor.execute(f"DELETE FROM {COUNTS} WHERE n = 0")
    schema_editor.execute("DROP INDEX IF EXISTS status_count_stamp")
    schema_editor.execute(f"ALTER TABLE {COUNTS} DROP COLUMN IF EXISTS xid")


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_status_counts")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
