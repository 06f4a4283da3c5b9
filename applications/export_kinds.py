"""The export kinds of applications; registered from the app's `AppConfig.ready()`.

Exports above COHORTLINE_EXPORT_INLINE_MAX_ROWS rows are built by a worker (see the exports
app); these functions build them with the same helpers as the download in the request."""

from collections.abc import Callable
from typing import IO

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from applications import exports, selectors, services
from applications.filters import ApplicationFilter
from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort
from core import tabular
from exports.registry import Built, ExportKind


def _cohort(programme, params: dict) -> Cohort:
    cohort = Cohort.objects.filter(programme=programme, slug=params.get("cohort", "")).first()
    if cohort is None:
        raise ValueError("the cohort of this export no longer exists")
    return cohort


def build(programme, params: dict) -> Built:
    """The header, rows and count of a cohort's applications under the stored filters."""
    cohort = _cohort(programme, params)
    data = QueryDict(mutable=True)
    data.update(params.get("filters") or {})
    filterset = ApplicationFilter(
        data, queryset=selectors.application_list_for_cohort(cohort=cohort), cohort=cohort
    )
    if not filterset.is_valid():
        raise ValueError(f"the stored filters are no longer valid: {dict(filterset.errors)}")
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    queryset = filterset.qs
    tz = cohort.tz

    def rows():
        for values in queryset.values(*exports.export_fields()).iterator(chunk_size=2000):
            yield exports.application_row(values, questions, tz)

    return Built(exports.header_row(questions), rows(), queryset.count())


def write(target: IO[bytes], fmt: str, built: Built, progress: Callable[[int], None]) -> int:
    if fmt == "xlsx":
        return exports.write_xlsx(target, built.header, built.rows, progress=progress)
    rows = 0

    def counted(done: int) -> None:
        nonlocal rows
        rows = done
        progress(done)

    for chunk in tabular.csv_chunks(built.header, built.rows, progress=counted):
        target.write(chunk.encode())
    return rows


def audit(export, rows: int) -> None:
    services.applications_exported(
        cohort=_cohort(export.programme, export.params),
        actor=export.requested_by,
        fmt=export.format,
        rows=rows,
    )


KINDS = (
    ExportKind(
        slug="applications",
        label=_("Applications of a cohort"),
        permission="programmes.manage_applications",
        build=build,
        write=write,
        audit=audit,
    ),
)
