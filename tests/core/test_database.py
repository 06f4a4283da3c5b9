import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from tests.factories import ApplicantProfileFactory, UserFactory


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case():
    UserFactory(email="case@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="CASE@example.com")


@pytest.mark.django_db
def test_experience_check_constraint_holds_in_the_database():
    profile = ApplicantProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(profile).objects.filter(pk=profile.pk).update(years_of_experience=61)


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13
