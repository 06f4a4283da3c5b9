import datetime

import factory
from django.utils import timezone

from exports.enums import ExportFormat, ExportStatus
from exports.models import Export

from .accounts import UserFactory
from .programmes import ProgrammeFactory


class ExportFactory(factory.django.DjangoModelFactory):
    """A queued export of a cohort's applications (no file yet)."""

    class Meta:
        model = Export

    programme = factory.SubFactory(ProgrammeFactory)
    requested_by = factory.SubFactory(UserFactory)
    kind = "applications"
    params = factory.LazyFunction(lambda: {"cohort": "main", "filters": {}, "format": "csv"})
    format = ExportFormat.CSV
    status = ExportStatus.QUEUED
    rows_total = 10
    download_name = "applications.csv"
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
