import datetime
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationEvent
from cohorts.enums import QuestionType
from core.models import AuditEntry
from tests.factories import ApplicationFactory, CohortFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

SGT = zoneinfo.ZoneInfo("Asia/Singapore")


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="March 2026", slug="march-2026")


@pytest.fixture
def other_cohort(other_programme):
    """Same cohort slug in the other programme, with an applicant who must never leak."""
    cohort = CohortFactory(programme=other_programme, name="March 2026", slug="march-2026")
    ApplicationFactory(cohort=cohort, full_name="Zed Otherprogramme")
    return cohort


def _url(name, cohort, *args):
    return reverse(f"applications:{name}", args=[cohort.programme.slug, cohort.slug, *args])


def _list(cohort):
    return _url("cohort_applications", cohort)


def _names(body: str) -> list[str]:
    """Applicant names in the order the list shows them."""
    return re.findall(r'href="/programmes/[^"]+/applications/\d+/">([^<]+)</a>', body)


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SGT)


@pytest.fixture
def trio(cohort):
    """Three applications that differ in every filtered attribute."""
    alice = ApplicationFactory(
        cohort=cohort,
        full_name="Alice Ang",
        email="alice@example.org",
        status=ApplicationStatus.SUBMITTED,
        sector="ict",
        job_level="professional",
        employer_size="large",
        residency="citizen",
        is_union_member=True,
        is_eligible=True,
        submitted_at=_at(1),
    )
    bala = ApplicationFactory(
        cohort=cohort,
        full_name="Bala Krishnan",
        email="bk@example.net",
        status=ApplicationStatus.IN_REVIEW,
        sector="finance",
        job_level="manager",
        employer_size="sme",
        residency="permanent_resident",
        is_union_member=False,
        is_eligible=False,
        submitted_at=_at(5, 0, 30),
    )
    chen = ApplicationFactory(
        cohort=cohort,
        full_name="Chen Wei",
        email="chen@example.com",
        status=ApplicationStatus.INELIGIBLE,
        sector="logistics",
        job_level="frontline",
        employer_size="public_sector",
        residency="work_pass",
        is_union_member=None,
        is_eligible=None,
        submitted_at=_at(10),
    )
    return alice, bala, chen


# --- list ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["programme_admin", "staff", "platform_admin"])
def test_application_list_shows_submitted_applications_for_staff(
    client, request, cohort, trio, other_cohort, persona
):
    ApplicationFactory(cohort=cohort, full_name="Dora Draft", status=ApplicationStatus.DRAFT)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_list(cohort))

    body = response.content.decode()
    assert response.status_code == 200
    assert _names(body) == ["Chen Wei", "Bala Krishnan", "Alice Ang"]
    assert "Information and communications technology" in body  # Alice's sector, by its label
    assert "Dora Draft" not in body
    assert "Zed Otherprogramme" not in body
    assert body.count("<h1") == 1


def test_application_list_counts_per_status(client, cohort, trio, staff):
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.DRAFT)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.IN_REVIEW)
    client.force_login(staff)

    body = client.get(_list(cohort)).content.decode()

    counts = dict(re.findall(r'data-testid="count-(\w+)">([\d,]+)</span>', body))
    # Statuses nobody is in are left out; drafts are counted apart.
    assert counts == {"submitted": "1", "ineligible": "1", "in_review": "2"}
    assert "4 applications submitted." in body
    assert "1 more is still a draft." in body


def test_application_list_offers_bulk_form_and_exports_with_filters(
    client, cohort, trio, programme_admin
):
    client.force_login(programme_admin)

    body = client.get(_list(cohort), {"sector": "ict", "q": "ang", "page": "1"}).content.decode()

    export = _url("cohort_applications_export", cohort)
    assert f'href="{export}?format=csv&amp;q=ang&amp;sector=ict"' in body
    assert f'href="{export}?format=xlsx&amp;q=ang&amp;sector=ict"' in body
    assert f'action="{_url("cohort_applications_bulk", cohort)}"' in body
    assert '<input type="hidden" name="query" value="q=ang&amp;sector=ict">' in body
    assert f'name="ids" value="{trio[0].pk}"' in body
    options = re.findall(r'<option value="(\w+)"', body.split('name="to_status"')[1])[:3]
    assert options == ["ineligible", "in_review", "submitted"]


def test_application_list_is_empty_with_advice(client, cohort, staff):
    client.force_login(staff)
    body = client.get(_list(cohort)).content.decode()
    assert "No one has submitted an application yet." in body
    assert f"/apply/{cohort.programme.slug}/{cohort.slug}/" in body
    assert "Export CSV" not in body


def test_application_list_empty_filter_result_says_so(client, cohort, trio, staff):
    client.force_login(staff)
    body = client.get(_list(cohort), {"sector": "energy"}).content.decode()
    assert _names(body) == []
    assert "No application matches these filters." in body


@pytest.mark.parametrize("persona", ["reviewer", "mentor"])
def test_application_pages_are_403_for_reviewers_and_mentors(
    client, request, cohort, trio, persona
):
    client.force_login(request.getfixturevalue(persona))
    alice = trio[0]
    for url in (
        _list(cohort),
        _url("cohort_application_detail", cohort, alice.pk),
        _url("cohort_application_cv", cohort, alice.pk),
        _url("cohort_applications_export", cohort) + "?format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Alice Ang" not in response.content.decode()
    response = client.post(
        _url("cohort_applications_bulk", cohort), {"to_status": "in_review", "ids": [alice.pk]}
    )
    assert response.status_code == 403
    assert Application.objects.get(pk=alice.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_application_pages_are_404_outside_the_programme(
    client, request, cohort, trio, other_cohort, persona
):
    client.force_login(request.getfixturevalue(persona))
    alice = trio[0]
    for url in (
        _list(cohort),
        _url("cohort_application_detail", cohort, alice.pk),
        _url("cohort_application_cv", cohort, alice.pk),
        _url("cohort_applications_export", cohort) + "?format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert "Alice Ang" not in body and "Bala Krishnan" not in body
    response = client.post(
        _url("cohort_applications_bulk", cohort), {"to_status": "in_review", "ids": [alice.pk]}
    )
    assert response.status_code == 404
    assert Application.objects.get(pk=alice.pk).status == ApplicationStatus.SUBMITTED


def test_other_programme_admin_sees_only_their_own_applicants(
    client, cohort, trio, other_cohort, other_programme_admin
):
    client.force_login(other_programme_admin)
    body = client.get(_list(other_cohort)).content.decode()
    assert _names(body) == ["Zed Otherprogramme"]


def test_application_from_another_cohort_is_404(client, programme, cohort, trio, staff):
    elsewhere = CohortFactory(programme=programme, slug="later")
    client.force_login(staff)
    assert client.get(_url("cohort_application_detail", elsewhere, trio[0].pk)).status_code == 404
    missing = reverse("applications:cohort_applications", args=[programme.slug, "no-such-cohort"])
    assert client.get(missing).status_code == 404


def test_application_list_needs_login(client, cohort):
    response = client.get(_list(cohort))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- filters and sorting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "alice"}, ["Alice Ang"]),
        ({"q": "KRISHNAN"}, ["Bala Krishnan"]),
        ({"q": "bk@example.net"}, ["Bala Krishnan"]),
        ({"q": "example.com"}, ["Chen Wei"]),
        ({"status": "in_review"}, ["Bala Krishnan"]),
        ({"is_eligible": "yes"}, ["Alice Ang"]),
        ({"is_eligible": "no"}, ["Bala Krishnan"]),
        ({"is_eligible": "unknown"}, ["Chen Wei"]),
        ({"sector": "finance"}, ["Bala Krishnan"]),
        ({"job_level": "frontline"}, ["Chen Wei"]),
        ({"employer_size": "large"}, ["Alice Ang"]),
        ({"is_union_member": "yes"}, ["Alice Ang"]),
        ({"is_union_member": "no"}, ["Bala Krishnan"]),
        ({"is_union_member": "unknown"}, ["Chen Wei"]),
        ({"residency": "permanent_resident"}, ["Bala Krishnan"]),
        # Days are the cohort's (Singapore): Bala submitted at 00:30 on 5 March there.
        ({"submitted_after": "2026-03-05"}, ["Chen Wei", "Bala Krishnan"]),
        ({"submitted_before": "2026-03-04"}, ["Alice Ang"]),
        ({"submitted_before": "2026-03-05"}, ["Bala Krishnan", "Alice Ang"]),
        (
            {"submitted_after": "2026-03-02", "submitted_before": "2026-03-09"},
            ["Bala Krishnan"],
        ),
        ({"sector": "ict", "job_level": "manager"}, []),
    ],
)
def test_application_list_filters(client, cohort, trio, staff, params, expected):
    client.force_login(staff)
    response = client.get(_list(cohort), params)
    assert response.status_code == 200
    assert _names(response.content.decode()) == expected


def test_application_list_invalid_filter_is_reported_not_fatal(client, cohort, trio, staff):
    client.force_login(staff)
    response = client.get(_list(cohort), {"sector": "astrology"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in body


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["Chen Wei", "Bala Krishnan", "Alice Ang"]),
        ("-submitted_at", ["Chen Wei", "Bala Krishnan", "Alice Ang"]),
        ("submitted_at", ["Alice Ang", "Bala Krishnan", "Chen Wei"]),
        ("full_name", ["Alice Ang", "Bala Krishnan", "Chen Wei"]),
        ("-full_name", ["Chen Wei", "Bala Krishnan", "Alice Ang"]),
        # workflow order: submitted, ineligible, in review
        ("status", ["Alice Ang", "Chen Wei", "Bala Krishnan"]),
        ("-status", ["Bala Krishnan", "Chen Wei", "Alice Ang"]),
        ("bogus", ["Chen Wei", "Bala Krishnan", "Alice Ang"]),
    ],
)
def test_application_list_sorting(client, cohort, trio, staff, sort, expected):
    client.force_login(staff)
    response = client.get(_list(cohort), {"sort": sort} if sort else {})
    assert response.status_code == 200
    assert _names(response.content.decode()) == expected


def test_application_list_keeps_chosen_filters_in_the_form(client, cohort, trio, staff):
    client.force_login(staff)
    body = client.get(
        _list(cohort), {"sort": "full_name", "sector": "ict", "submitted_after": "2026-03-01"}
    ).content.decode()
    assert '<option value="full_name" selected>' in body
    assert '<option value="ict" selected>' in body
    assert 'value="2026-03-01"' in body


def test_application_list_paginates_by_50_keeping_filters(client, cohort, staff):
    ApplicationFactory.create_batch(51, cohort=cohort, sector="ict")
    ApplicationFactory(cohort=cohort, sector="finance", full_name="Not In Filter")
    client.force_login(staff)

    first = client.get(_list(cohort), {"sector": "ict"}).content.decode()
    second = client.get(_list(cohort), {"sector": "ict", "page": 2}).content.decode()

    assert len(_names(first)) == 50
    assert len(_names(second)) == 1
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert 'href="?sector=ict&amp;page=2"' in first
    assert "Not In Filter" not in first + second
    assert set(_names(first)).isdisjoint(_names(second))


def test_application_list_page_links_keep_filters_and_sorting(client, cohort, staff, monkeypatch):
    monkeypatch.setattr("applications.views.staff.PAGE_SIZE", 2)
    for name in ("Dee", "Cal", "Bea", "Abe"):
        ApplicationFactory(cohort=cohort, sector="ict", full_name=name)
    ApplicationFactory(cohort=cohort, sector="finance", full_name="Not In Filter")
    client.force_login(staff)
    # The filter form sends its empty fields too; they stay out of the links.
    query = {"q": "", "status": "", "sector": "ict", "sort": "full_name"}

    first = client.get(_list(cohort), query).content.decode()
    next_link = re.search(r'href="\?([^"]*)" rel="next"', first).group(1)
    second = client.get(f"{_list(cohort)}?{next_link.replace('&amp;', '&')}").content.decode()

    assert next_link == "sector=ict&amp;sort=full_name&amp;page=2"
    assert _names(first) == ["Abe", "Bea"] and _names(second) == ["Cal", "Dee"]
    assert 'href="?sector=ict&amp;sort=full_name&amp;page=1" rel="prev"' in second
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("count", [1, 3])
def test_application_list_query_count(
    client, cohort, programme_admin, django_assert_num_queries, count
):
    ApplicationFactory.create_batch(count, cohort=cohort)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), cohort, page count, page rows, status counts,
    # navigation and bell
    with django_assert_num_queries(8):
        response = client.get(_list(cohort), {"sector": "logistics", "q": "a"})
    assert response.status_code == 200


# --- bulk status -----------------------------------------------------------------------------


def test_bulk_status_moves_allowed_and_skips_the_rest(client, cohort, trio, programme_admin):
    alice, bala, chen = trio
    stranger = ApplicationFactory(cohort=CohortFactory(), status=ApplicationStatus.SUBMITTED)
    client.force_login(programme_admin)

    response = client.post(
        _url("cohort_applications_bulk", cohort),
        {
            "to_status": ApplicationStatus.IN_REVIEW,
            "ids": [alice.pk, bala.pk, chen.pk, stranger.pk],
            "query": "sector=ict&page=3&evil=1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _list(cohort) + "?sector=ict"
    statuses = dict(Application.objects.values_list("full_name", "status"))
    # submitted → in review is allowed; in review → in review and ineligible → in review are not
    assert statuses["Alice Ang"] == ApplicationStatus.IN_REVIEW
    assert statuses["Bala Krishnan"] == ApplicationStatus.IN_REVIEW
    assert statuses["Chen Wei"] == ApplicationStatus.INELIGIBLE
    assert Application.objects.get(pk=stranger.pk).status == ApplicationStatus.SUBMITTED
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 moved, 3 skipped (their status does not allow it)."
    ]
    event = ApplicationEvent.objects.get(application=alice)
    assert (event.actor, event.from_status, event.to_status) == (
        programme_admin,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
    )


def test_bulk_status_by_staff_moves_ineligible_back(client, cohort, trio, staff):
    client.force_login(staff)
    response = client.post(
        _url("cohort_applications_bulk", cohort),
        {"to_status": ApplicationStatus.SUBMITTED, "ids": [trio[2].pk]},
        follow=True,
    )
    assert Application.objects.get(pk=trio[2].pk).status == ApplicationStatus.SUBMITTED
    assert "1 moved, 0 skipped (their status does not allow it)." in response.content.decode()


def test_bulk_status_without_selection_says_so(client, cohort, trio, staff):
    client.force_login(staff)
    response = client.post(
        _url("cohort_applications_bulk", cohort),
        {"to_status": ApplicationStatus.IN_REVIEW},
        follow=True,
    )
    assert "Select at least one application." in response.content.decode()
    assert not ApplicationEvent.objects.exists()


def test_bulk_status_rejects_statuses_staff_may_not_set(client, cohort, trio, staff):
    client.force_login(staff)
    client.post(
        _url("cohort_applications_bulk", cohort),
        {"to_status": ApplicationStatus.OFFERED, "ids": [trio[1].pk]},
    )
    assert Application.objects.get(pk=trio[1].pk).status == ApplicationStatus.IN_REVIEW


def test_bulk_status_is_post_only(client, cohort, staff):
    client.force_login(staff)
    assert client.get(_url("cohort_applications_bulk", cohort)).status_code == 405


# --- detail ----------------------------------------------------------------------------------


def test_application_detail_shows_answers_as_text(client, cohort, programme_admin):
    QuestionFactory(cohort=cohort, key="why", label="Why join?", type=QuestionType.LONG_TEXT)
    QuestionFactory(
        cohort=cohort,
        key="tools",
        label="Tools you use",
        type=QuestionType.MULTI_CHOICE,
        choices=["Python", "SQL", "Excel"],
    )
    QuestionFactory(cohort=cohort, key="portfolio", label="Portfolio", type=QuestionType.FILE)
    QuestionFactory(cohort=cohort, key="blank", label="Anything else?", is_required=False)
    application = ApplicationFactory(
        cohort=cohort,
        full_name="Alice <b>Ang</b>",
        answers={
            "why": "<script>alert('x')</script>\nSecond line",
            "tools": ["Python", "SQL"],
            "portfolio": {"name": "work.pdf", "path": "answers/abc.pdf", "size": 10},
        },
    )
    client.force_login(programme_admin)

    response = client.get(_url("cohort_application_detail", cohort, application.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Second line" in body
    assert "<script>alert" not in body
    assert "Alice &lt;b&gt;Ang&lt;/b&gt;" in body
    assert '<dd class="mb-3 text-break">Python; SQL</dd>' in body
    assert '/files/portfolio/">work.pdf</a>' in body
    assert "Anything else?" in body and "No answer" in body
    assert "answers/abc.pdf" not in body
    assert body.count("<h1") == 1


def test_application_detail_shows_profile_cv_and_history(client, cohort, staff, programme_admin):
    application = ApplicationFactory(
        cohort=cohort,
        full_name="Alice Ang",
        email="alice@example.org",
        sector="ict",
        employer="Nimbus Cloud",
        cv_name="Alice CV.pdf",
    )
    application.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 alice"), save=True)
    ApplicationEvent.objects.create(
        application=application, actor=None, to_status=ApplicationStatus.DRAFT
    )
    ApplicationEvent.objects.create(
        application=application,
        actor=programme_admin,
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.INELIGIBLE,
        note="Lives <abroad>",
    )
    client.force_login(staff)

    body = client.get(_url("cohort_application_detail", cohort, application.pk)).content.decode()

    assert "Information and communications technology" in body
    assert "Nimbus Cloud" in body
    assert f'href="{_url("cohort_application_cv", cohort, application.pk)}"' in body
    assert "Download Alice CV.pdf" in body
    assert "Started as Draft" in body
    assert "by the system" in body
    assert "Submitted → Ineligible" in body
    assert "by Farah Osman" in body
    assert "Lives &lt;abroad&gt;" in body


@pytest.mark.parametrize("count", [1, 3])
def test_application_detail_query_count(client, cohort, staff, django_assert_num_queries, count):
    application = ApplicationFactory(cohort=cohort)
    for _ in range(count):
        QuestionFactory(cohort=cohort)
        ApplicationEvent.objects.create(
            application=application, actor=UserFactory(), to_status=ApplicationStatus.SUBMITTED
        )
    client.force_login(staff)
    # session, user, roles (with the authenticator), cohort, application, events (+ actors),
    # the audit entry of opening it, questions, correction requests, navigation and bell
    with django_assert_num_queries(10):
        client.get(_url("cohort_application_detail", cohort, application.pk))


# --- CV download -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["programme_admin", "staff"])
def test_cv_download_streams_pdf_and_is_audited(client, request, cohort, persona):
    user = request.getfixturevalue(persona)
    application = ApplicationFactory(cohort=cohort, cv_name='../My "CV"\r\n2026.pdf')
    application.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 the cv"), save=True)
    client.force_login(user)

    response = client.get(_url("cohort_application_cv", cohort, application.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the cv"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="My _CV_2026.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(action="applications.file_download")
    assert (entry.actor, entry.target_type, entry.target_id, entry.data) == (
        user,
        "applications.application",
        str(application.pk),
        {"file": "cv"},
    )


def test_cv_download_without_cv_is_404(client, cohort, staff):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    assert client.get(_url("cohort_application_cv", cohort, application.pk)).status_code == 404
    assert not AuditEntry.objects.filter(action="applications.file_download").exists()
