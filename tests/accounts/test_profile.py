import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts import selectors, services
from accounts.forms import ApplicantProfileForm
from accounts.models import ApplicantProfile
from tests.factories import ApplicantProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "full_name": "  Siti   Abdullah ",
    "phone": "+65 9123 4567",
    "date_of_birth": "1990-05-17",
    "gender": "woman",
    "residency": "citizen",
    "employer": "Harbour Logistics",
    "employer_size": "sme",
    "sector": "logistics",
    "job_level": "frontline",
    "is_union_member": "on",
    "highest_education": "diploma",
    "years_of_experience": "8",
    "linkedin_url": "https://www.linkedin.com/in/siti",
}


def _form(**changes):
    return ApplicantProfileForm(data={**VALID, **changes})


def test_profile_form_accepts_valid_data_and_normalises():
    form = _form()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+6591234567"
    assert form.cleaned_data["full_name"] == "Siti Abdullah"
    assert form.cleaned_data["is_union_member"] is True


@pytest.mark.parametrize("phone", ["call me", "12345", "+65 9123 4567 8901 2345", "91-23-abc"])
def test_profile_form_rejects_phone_that_is_not_one(phone):
    form = _form(phone=phone)
    assert not form.is_valid()
    assert list(form.errors) == ["phone"]


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))
def test_profile_form_rejects_birth_date_in_future():
    form = _form(date_of_birth="2026-11-25")
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Your date of birth cannot be in the future."]


@time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))
def test_profile_form_rejects_too_young_and_too_old():
    assert "at least 15" in _form(date_of_birth="2015-01-01").errors["date_of_birth"][0]
    assert "after 1 January 1900" in _form(date_of_birth="1899-12-31").errors["date_of_birth"][0]


@pytest.mark.parametrize(
    "url", ["ftp://linkedin.com/in/siti", "javascript:alert(1)", "mailto:siti@example.com"]
)
def test_profile_form_rejects_linkedin_url_that_is_not_http(url):
    form = _form(linkedin_url=url)
    assert not form.is_valid()
    assert list(form.errors) == ["linkedin_url"]


def test_profile_form_assumes_https_for_bare_domain():
    form = _form(linkedin_url="www.linkedin.com/in/siti")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["linkedin_url"] == "https://www.linkedin.com/in/siti"


def test_profile_form_requires_employer_unless_not_employed():
    assert "employer" in _form(employer="", employer_size="large").errors
    assert _form(employer="", employer_size="not_employed").is_valid()
    assert _form(employer="", employer_size="self_employed").is_valid()


def test_profile_form_rejects_unknown_choice_and_experience_out_of_range():
    form = _form(sector="astrology", years_of_experience="61")
    assert not form.is_valid()
    assert sorted(form.errors) == ["sector", "years_of_experience"]


def test_profile_save_creates_then_updates_and_sets_display_name():
    user = UserFactory(display_name="")
    form = _form()
    assert form.is_valid()
    profile = services.profile_save(user=user, data=form.cleaned_data)
    assert profile.full_name == "Siti Abdullah"
    user.refresh_from_db()
    assert user.display_name == "Siti Abdullah"

    form = _form(full_name="Siti binte Abdullah", job_level="manager")
    assert form.is_valid()
    services.profile_save(user=user, data=form.cleaned_data)
    assert ApplicantProfile.objects.filter(user=user).count() == 1
    profile.refresh_from_db()
    assert (profile.full_name, profile.job_level) == ("Siti binte Abdullah", "manager")


def test_profile_get_for_user_returns_only_own_profile():
    mine = ApplicantProfileFactory()
    ApplicantProfileFactory()
    assert selectors.profile_get_for_user(user=mine.user) == mine
    assert selectors.profile_get_for_user(user=UserFactory()) is None


def test_profile_age_on():
    profile = ApplicantProfileFactory.build(date_of_birth=datetime.date(1990, 5, 17))
    assert profile.age_on(datetime.date(2026, 5, 16)) == 35
    assert profile.age_on(datetime.date(2026, 5, 17)) == 36


def test_profile_view_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_view_creates_profile(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert ApplicantProfile.objects.get(user=user).sector == "logistics"


def test_profile_view_shows_errors_and_keeps_what_was_typed(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {
            **VALID,
            "phone": "call me",
            "linkedin_url": "ftp://example.com/x",
            "date_of_birth": "2999-01-01",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the fields marked below." in body
    assert 'value="call me"' in body
    assert 'value="ftp://example.com/x"' in body
    assert 'value="2999-01-01"' in body
    assert 'value="Harbour Logistics"' in body
    assert "cannot be in the future" in body
    assert not ApplicantProfile.objects.filter(user=user).exists()


def test_profile_view_edits_only_own_profile(client):
    other = ApplicantProfileFactory(full_name="Someone Else")
    mine = ApplicantProfileFactory(full_name="Me Myself")
    client.force_login(mine.user)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert 'value="Me Myself"' in body
    assert "Someone Else" not in body
    client.post(reverse("accounts:profile"), {**VALID, "full_name": "Changed"})
    other.refresh_from_db()
    mine.refresh_from_db()
    assert (other.full_name, mine.full_name) == ("Someone Else", "Changed")
