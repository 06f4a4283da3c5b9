"""The applicant-attribute catalogue: every entry reads from an application, and one entry is
all it takes for an attribute to reach quotas, filters, exports and eligibility."""

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse

from applications import exports
from applications.filters import ApplicationFilter
from applications.models import Application
from cohorts import attributes, selectors
from cohorts.attributes import Attribute, Kind, Use
from selection.forms import QuotaForm
from tests.auth import sign_in_confirmed
from tests.factories import ApplicantProfileFactory, ApplicationFactory, CohortFactory


@pytest.mark.django_db
def test_attributes_every_entry_reads_from_an_application():
    cohort = CohortFactory(starts_on=datetime.date(2026, 6, 1))
    profile = ApplicantProfileFactory(
        date_of_birth=datetime.date(1990, 5, 17), highest_education="master", years_of_experience=8
    )
    application = ApplicationFactory(
        cohort=cohort,
        applicant=profile.user,
        residency="permanent_resident",
        gender="man",
        employer="Nimbus Cloud",
        employer_size="large",
        sector="ict",
        job_level="manager",
        is_union_member=False,
        age_at_start=36,
    )

    assert {a.key: a.read(application) for a in attributes.ATTRIBUTES} == {
        "residency": "permanent_resident",
        "gender": "man",
        "employer": "Nimbus Cloud",
        "employer_size": "large",
        "sector": "ict",
        "job_level": "manager",
        "is_union_member": False,
        "age_at_start": 36,
        "age_band": "35-44",
        # Not kept on applications: the applicant's profile as it is now.
        "highest_education": "master",
        "years_of_experience": 8,
    }


@pytest.mark.django_db
def test_attributes_not_kept_read_as_unknown_without_a_profile():
    application = ApplicationFactory()

    assert attributes.get("highest_education").read(application) is None
    assert attributes.get("years_of_experience").read(application) is None


@pytest.mark.django_db
def test_attributes_from_profile_give_the_eligibility_facts():
    cohort = CohortFactory(starts_on=datetime.date(2026, 5, 17))
    profile = ApplicantProfileFactory(
        date_of_birth=datetime.date(2002, 5, 18), is_union_member=False, residency="work_pass"
    )

    assert selectors.profile_facts(profile=profile, cohort=cohort) == {
        "residency": "work_pass",
        "gender": "prefer_not_to_say",
        "employer_size": "sme",
        "sector": "logistics",
        "job_level": "frontline",
        "is_union_member": False,
        "age_at_start": 23,
        "highest_education": "diploma",
        "years_of_experience": 8,
    }


def test_candidate_attributes_are_text_as_quotas_compare_them():
    application = Application(
        residency="citizen",
        gender="woman",
        employer_size="sme",
        sector="",
        job_level="frontline",
        is_union_member=None,
        age_at_start=None,
    )

    assert attributes.candidate_attributes(application) == {
        "residency": "citizen",
        "gender": "woman",
        "employer_size": "sme",
        "sector": "",
        "job_level": "frontline",
        "is_union_member": "no",
        "age_band": "",
    }


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, ""), (17, ""), (18, "18-24"), (24, "18-24"), (25, "25-34"), (54, "45-54"), (90, "55+")],
)
def test_age_band_names_the_band_an_age_falls_in(age, band):
    assert attributes.age_band(age) == band


def test_attributes_catalogue_is_consistent():
    keys = [a.key for a in attributes.ATTRIBUTES]
    assert len(keys) == len(set(keys))
    columns = {field.name for field in Application._meta.get_fields()}
    for attribute in attributes.ATTRIBUTES:
        assert attribute.column is None or attribute.column in columns, attribute.key
        if Use.FILTERS in attribute.uses:  # filtered in the database, as kept
            assert attribute.is_kept and attribute.kind in (Kind.CHOICE, Kind.YES_NO)
        if Use.EXPORTS in attribute.uses or Use.QUOTAS in attribute.uses:  # read in bulk
            assert attribute.column is not None, attribute.key
        if Use.QUOTAS in attribute.uses:  # a quota names some of its values
            assert attribute.choices, attribute.key


# --- One entry reaches every use ----------------------------------------------------------------

EMPLOYER_NAME = Attribute(
    key="employer_name",
    label="Employer name",
    kind=Kind.CHOICE,
    column="employer",
    choices=(("Harbour Logistics", "Harbour"), ("Nimbus Cloud", "Nimbus")),
    uses=frozenset({Use.QUOTAS, Use.FILTERS, Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF}),
    any_label="Any employer",
)


@pytest.fixture
def added_attribute(monkeypatch):
    """The catalogue with one more entry, and the staff list's filters built from it."""
    monkeypatch.setattr(attributes, "ATTRIBUTES", (*attributes.ATTRIBUTES, EMPLOYER_NAME))
    monkeypatch.setattr(ApplicationFilter, "base_filters", ApplicationFilter.get_filters())
    exports._labels.cache_clear()
    yield EMPLOYER_NAME
    exports._labels.cache_clear()


@pytest.mark.django_db
def test_added_attribute_shows_in_the_quota_form(added_attribute):
    form = QuotaForm(initial={"attribute": "employer_name"})

    assert form.fields["attribute"].choices[-1] == ("employer_name", "Employer name")
    assert form.fields["values"].choices == [
        ("employer_name:Harbour Logistics", "Harbour"),
        ("employer_name:Nimbus Cloud", "Nimbus"),
    ]
    bound = QuotaForm(
        data={
            "name": "Nimbus people",
            "attribute": "employer_name",
            "values": ["employer_name:Nimbus Cloud"],
            "min_percent": "10",
        }
    )
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["values"] == ["Nimbus Cloud"]


def test_added_attribute_counts_for_quotas_and_eligibility(added_attribute):
    application = Application(employer="Nimbus Cloud", is_union_member=True, age_at_start=30)

    assert attributes.candidate_attributes(application)["employer_name"] == "Nimbus Cloud"
    assert ("employer_name", "Employer name") in attributes.choices(Use.ELIGIBILITY)
    rule = SimpleNamespace(attribute="employer_name", operator="in", values=["Nimbus Cloud"])
    assert selectors.rule_rows([rule], []) == [(rule, "Employer name", "must be one of: Nimbus")]


@pytest.mark.django_db
def test_added_attribute_filters_and_exports_the_staff_list(
    client, programme, programme_admin, added_attribute
):
    cohort = CohortFactory(programme=programme, slug="march-2026")
    ApplicationFactory(cohort=cohort, full_name="Alice Ang", employer="Nimbus Cloud")
    ApplicationFactory(cohort=cohort, full_name="Bala Krishnan", employer="Harbour Logistics")
    sign_in_confirmed(client, programme_admin)
    args = [programme.slug, cohort.slug]

    listed = client.get(
        reverse("applications:cohort_applications", args=args), {"employer_name": "Nimbus Cloud"}
    ).content.decode()
    response = client.get(
        reverse("applications:cohort_applications_export", args=args),
        {"format": "csv", "employer_name": "Nimbus Cloud"},
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))

    assert "Alice Ang" in listed and "Bala Krishnan" not in listed
    filterset = ApplicationFilter({}, queryset=Application.objects.none(), cohort=cohort)
    assert [field.name for field in filterset.attribute_fields] == [
        "residency",
        "employer_size",
        "sector",
        "job_level",
        "is_union_member",
        "employer_name",
    ]
    header = rows[0]
    assert header[header.index("Age at start") + 1 : header.index("Eligible") + 1] == [
        "Employer name",
        "Eligible",
    ]
    assert [(row[3], row[header.index("Employer name")]) for row in rows[1:]] == [
        ("Alice Ang", "Nimbus")
    ]
