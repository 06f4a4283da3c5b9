"""The certificates pages: the staff's board of a cohort (filters, counts, CSV), its rule, issuing
in bulk with progress, each person's checklist with waivers, sign-off, issue and revocation; the
holder's "My certificate" and the PDF. Nobody outside the programme sees or changes anything."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, CertificationRule, IssueRun, SignOff, Waiver
from core.models import AuditEntry
from programmes.enums import RoleKind
from selection.models import Participant
from tests.auth import sign_in_confirmed
from tests.factories import (
    CohortFactory,
    CourseFactory,
    ParticipantFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
)
from tests.pages import breadcrumbs

pytestmark = pytest.mark.django_db


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def cohort(participant):
    return Participant.objects.select_related("cohort__programme").get(user=participant).cohort


@pytest.fixture
def rule(cohort, programme_admin):
    """Only a staff sign-off is asked: who is eligible is in the test's hands."""
    return services.rule_save(
        cohort=cohort,
        actor=programme_admin,
        achievement_name="Applied AI Practitioner",
        assessments_must_pass=False,
        requires_sign_off=True,
    )


def _person(cohort, email, name):
    return ParticipantFactory(
        application__cohort=cohort,
        application__applicant__email=email,
        application__applicant__display_name=name,
    ).user


def _issue(cohort, user, actor):
    services.sign_off(cohort=cohort, user=user, actor=actor)
    return services.certificate_issue(cohort=cohort, user=user, actor=actor)


@pytest.fixture
def certificate(cohort, rule, participant, staff):
    return _issue(cohort, participant, staff)


def _board(cohort):
    return reverse("certificates:board", args=[cohort.programme.slug, cohort.slug])


def _person_url(cohort, user):
    return reverse("certificates:person", args=[cohort.programme.slug, cohort.slug, user.pk])


def _snapshot():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (CertificationRule, Waiver, SignOff, Certificate, IssueRun)
    ]


# --- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "participant", "other_programme_admin"])
def test_staff_pages_are_a_404_outside_the_programme(client, request, cohort, certificate, who):
    client.force_login(request.getfixturevalue(who))
    before = _snapshot()
    slug, cs = cohort.programme.slug, cohort.slug
    user_id = certificate.user_id
    for url in (
        _board(cohort),
        _board(cohort) + "?format=csv",
        reverse("certificates:rule", args=[slug, cs]),
        _person_url(cohort, certificate.user),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("certificates:rule", args=[slug, cs]), {"achievement_name": "Mine"}),
        (reverse("certificates:issue_all", args=[slug, cs]), {}),
        (reverse("certificates:waive", args=[slug, cs, user_id]), {"requirement": "sign_off"}),
        (reverse("certificates:sign_off", args=[slug, cs, user_id]), {}),
        (reverse("certificates:issue_one", args=[slug, cs, user_id]), {}),
        (reverse("certificates:revoke", args=[slug, certificate.code]), {"reason": "x"}),
    ):
        assert client.post(url, {"reason": "because", **data}).status_code == 404, url
    assert _snapshot() == before


def test_staff_pages_are_a_403_for_a_mentor(client, mentor, cohort, rule):
    client.force_login(mentor)
    assert client.get(_board(cohort)).status_code == 403


def test_revoke_from_another_programme_is_a_404(client, cohort, certificate, other_programme):
    """The code is real, but it is not a certificate of the programme in the address."""
    stranger = ProgrammeRoleFactory(programme=other_programme, role=RoleKind.STAFF).user
    TotpAuthenticatorFactory(user=stranger)
    client.force_login(stranger)
    url = reverse("certificates:revoke", args=[other_programme.slug, certificate.code])
    assert client.post(url, {"reason": "no"}).status_code == 404
    certificate.refresh_from_db()
    assert not certificate.is_revoked


# --- the board -------------------------------------------------------------------------------


def test_board_shows_each_state_with_reasons_and_counts(client, staff, cohort, rule, certificate):
    waiting = _person(cohort, "waiting@example.com", "Wang Wei")
    ready = _person(cohort, "ready@example.com", "Rahul Iyer")
    services.sign_off(cohort=cohort, user=ready, actor=staff)
    revoked = _person(cohort, "revoked@example.com", "Ana Souza")
    services.certificate_revoke(
        certificate=_issue(cohort, revoked, staff), actor=staff, reason="Plagiarism"
    )
    client.force_login(staff)
    response = client.get(_board(cohort))
    body = response.content.decode()
    assert response.status_code == 200
    assert [label for label, _href in breadcrumbs(body)] == [
        "Dashboard",
        cohort.programme.name,
        cohort.name,
        "Certificates",
    ]
    for state, count in (("eligible", 1), ("not_yet", 1), ("issued", 1), ("revoked", 1)):
        assert f'data-testid="count-{state}">{count}<' in body
    assert body.count('data-testid="board-row"') == 4
    assert "Not signed off yet" in body  # why Wang Wei is not eligible
    assert "Issue to everyone eligible (1)" in body

    only = client.get(_board(cohort), {"state": "not_yet"}).content.decode()
    assert only.count('data-testid="board-row"') == 1 and waiting.email in only
    found = client.get(_board(cohort), {"q": "rahul"}).content.decode()
    assert found.count('data-testid="board-row"') == 1 and ready.email in found
    nobody = client.get(_board(cohort), {"q": "zzz"}).content.decode()
    assert "Nobody matches this filter." in nobody


def test_board_without_rule_says_to_set_one(client, staff, cohort):
    client.force_login(staff)
    body = client.get(_board(cohort)).content.decode()
    assert 'data-testid="no-rule"' in body
    assert 'data-testid="issue-all"' not in body


def test_board_queries_do_not_grow_with_participants(
    client, staff, cohort, rule, participant, django_assert_num_queries
):
    client.force_login(staff)
    client.get(_board(cohort))  # warm the session and the navigation's compiled query
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(_board(cohort)).status_code == 200
    for n in range(2):
        _person(cohort, f"more{n}@example.com", f"More {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(_board(cohort))
    assert response.content.decode().count('data-testid="board-row"') == 3


def test_board_csv_asks_for_a_recent_password_and_is_audited(
    client, staff, cohort, rule, certificate
):
    client.force_login(staff)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("accounts.reauthentication.allauth_settings.REAUTHENTICATION_TIMEOUT", 0)
        asked = client.get(_board(cohort), {"format": "csv"})
    assert asked.status_code == 302
    sign_in_confirmed(client, staff)
    response = client.get(_board(cohort), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["cohort", "email", "name", "state"]
    assert rows[1][1:5] == [
        "participant@example.com",
        certificate.user.display_name,
        "Issued",
        certificate.code,
    ]
    entry = AuditEntry.objects.get(action="certificates.board_export")
    assert entry.actor == staff and entry.data["rows"] == 1


# --- the rule --------------------------------------------------------------------------------


def test_rule_form_saves_the_rule(client, programme_admin, cohort, programme):
    course = CourseFactory(programme=programme, code="AI101", cohorts=[cohort])
    CourseFactory(programme=programme, code="ZZ9")  # of the programme, not required
    client.force_login(programme_admin)
    url = reverse("certificates:rule", args=[programme.slug, cohort.slug])
    page = client.get(url)
    assert page.status_code == 200 and "AI101" in page.content.decode()
    response = client.post(
        url,
        {
            "achievement_name": "Applied AI",
            "required_courses": [course.pk],
            "min_attendance": "80",
            "min_mentoring_sessions": "4",
            "assessments_must_pass": "on",
        },
    )
    assert response.status_code == 302
    saved = CertificationRule.objects.get(cohort=cohort)
    assert (saved.achievement_name, saved.min_attendance, saved.min_mentoring_sessions) == (
        "Applied AI",
        80,
        4,
    )
    assert list(saved.required_courses.all()) == [course]
    again = client.get(url).content.decode()
    assert 'value="Applied AI"' in again


def test_rule_form_refuses_bad_input_and_keeps_it(client, programme_admin, cohort, other_programme):
    foreign = CourseFactory(programme=other_programme, code="GS1")
    client.force_login(programme_admin)
    url = reverse("certificates:rule", args=[cohort.programme.slug, cohort.slug])
    response = client.post(
        url,
        {
            "achievement_name": "Kept title",
            "min_attendance": "150",
            "min_mentoring_sessions": "0",
            "required_courses": [foreign.pk],
            "min_compute_use": "5",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Kept title"' in body and 'value="150"' in body
    assert "Choose the resource this minimum is about." in body
    assert not CertificationRule.objects.exists()


# --- issuing in bulk -------------------------------------------------------------------------


def test_issue_all_runs_and_shows_progress(
    client, staff, cohort, rule, participant, django_capture_on_commit_callbacks
):
    services.sign_off(cohort=cohort, user=participant, actor=staff)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificates:issue_all", args=[cohort.programme.slug, cohort.slug])
        )
    run = IssueRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certificates:run", args=[cohort.programme.slug, cohort.slug, run.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'data-testid="run-done"' in page
    assert "1 of 1 done: 1 issued, 0 skipped." in page
    assert Certificate.objects.filter(user=participant, status="valid").count() == 1
    # The polling asks again; a finished run reloads the page.
    poll = client.get(response["Location"], {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"


def test_run_page_polls_while_the_run_is_busy(client, staff, cohort, rule):
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff, total=10, done=4)
    client.force_login(staff)
    url = reverse("certificates:run", args=[cohort.programme.slug, cohort.slug, run.pk])
    body = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="40"' in body
    part = client.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and "<h1" not in part.content.decode()
    other = reverse("certificates:run", args=[cohort.programme.slug, cohort.slug, run.pk + 99])
    assert client.get(other).status_code == 404


# --- one person ------------------------------------------------------------------------------


def test_person_page_shows_the_checklist(client, staff, cohort, rule, participant):
    client.force_login(staff)
    body = client.get(_person_url(cohort, participant)).content.decode()
    assert "Not signed off yet" in body
    assert 'data-testid="waiver-form"' in body and 'data-testid="signoff-form"' in body
    stranger = _person_url(cohort, participant).replace(str(participant.pk), "999999")
    assert client.get(stranger).status_code == 404


def test_waive_needs_a_reason_and_a_known_requirement(client, staff, cohort, rule, participant):
    client.force_login(staff)
    url = reverse("certificates:waive", args=[cohort.programme.slug, cohort.slug, participant.pk])
    blank = client.post(url, {"requirement": "sign_off", "reason": "  "})
    assert blank.status_code == 400
    assert '<option value="sign_off" selected>' in blank.content.decode()
    unknown = client.post(url, {"requirement": "charm", "reason": "Nice person"})
    assert unknown.status_code == 400
    assert "Nice person" in unknown.content.decode()
    assert not Waiver.objects.exists()
    done = client.post(url, {"requirement": "sign_off", "reason": "Signed off on paper"})
    assert done.status_code == 302
    waiver = Waiver.objects.get()
    assert (waiver.requirement, waiver.reason, waiver.waived_by) == (
        "sign_off",
        "Signed off on paper",
        staff,
    )


def test_issue_one_when_not_eligible_says_why(client, staff, cohort, rule, participant):
    client.force_login(staff)
    url = reverse(
        "certificates:issue_one", args=[cohort.programme.slug, cohort.slug, participant.pk]
    )
    response = client.post(url, follow=True)
    assert "Not eligible yet: Not signed off yet" in response.content.decode()
    assert not Certificate.objects.exists()


def test_sign_off_then_issue_one(client, staff, cohort, rule, participant):
    client.force_login(staff)
    args = [cohort.programme.slug, cohort.slug, participant.pk]
    response = client.post(reverse("certificates:sign_off", args=args), {"note": "Great work"})
    assert response.status_code == 302
    assert SignOff.objects.get().note == "Great work"
    response = client.post(reverse("certificates:issue_one", args=args), follow=True)
    certificate = Certificate.objects.get()
    assert certificate.user == participant and certificate.issued_by == staff
    body = response.content.decode()
    assert "certificate is issued" in body and 'data-testid="revoke-form"' in body
    # Pressing again gives the same certificate, not a second one.
    client.post(reverse("certificates:issue_one", args=args))
    assert Certificate.objects.count() == 1


def test_revoke_needs_a_reason_and_happens_once(client, staff, cohort, certificate):
    client.force_login(staff)
    url = reverse("certificates:revoke", args=[cohort.programme.slug, certificate.code])
    blank = client.post(url, {"reason": ""})
    assert blank.status_code == 400 and "This field is required." in blank.content.decode()
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    done = client.post(url, {"reason": "Issued by mistake"})
    assert done.status_code == 302
    assert done["Location"] == _person_url(cohort, certificate.user)
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_reason) == ("revoked", "Issued by mistake")
    twice = client.post(url, {"reason": "Again"})
    assert twice.status_code == 400
    assert "This certificate is already revoked." in twice.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Issued by mistake"


# --- the holder's own page and the PDF -------------------------------------------------------


def test_my_certificate_shows_the_checklist_with_numbers(client, participant, cohort, rule):
    client.force_login(participant)
    body = client.get(reverse("certificates:mine")).content.decode()
    assert "What you need for the certificate:" in body
    assert "Not signed off yet" in body
    assert 'data-testid="pdf"' not in body


def test_my_certificate_offers_pdf_json_link_and_linkedin(client, participant, certificate):
    client.force_login(participant)
    body = client.get(reverse("certificates:mine")).content.decode()
    assert reverse("certificates:pdf", args=[certificate.code]) in body
    assert reverse("certificates:credential", args=[certificate.code]) in body
    assert services.verify_url(certificate.code) in body
    assert 'data-copy-target="share-' in body and "js/copy-link.js" in body
    link = next(
        part.split('"')[0]
        for part in body.split('href="')
        if part.startswith("https://www.linkedin.com/profile/add?")
    )
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Applied AI Practitioner"],
        "organizationName": [certificate.issuer_name],
        "issueYear": [str(certificate.issued_on.year)],
        "issueMonth": [str(certificate.issued_on.month)],
        "certUrl": [services.verify_url(certificate.code)],
        "certId": [certificate.code],
    }


def test_my_certificate_says_when_it_is_revoked(client, participant, staff, certificate):
    services.certificate_revoke(certificate=certificate, actor=staff, reason="Plagiarism")
    client.force_login(participant)
    body = client.get(reverse("certificates:mine")).content.decode()
    assert 'data-testid="revoked"' in body and "Plagiarism" in body
    assert 'data-testid="linkedin"' not in body


def test_my_certificate_is_empty_for_an_outsider(client, outsider):
    client.force_login(outsider)
    body = client.get(reverse("certificates:mine")).content.decode()
    assert "You have no certificate yet." in body


def test_pdf_for_the_holder_and_staff_only(client, participant, staff, cohort, certificate):
    url = reverse("certificates:pdf", args=[certificate.code])
    client.force_login(participant)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert not AuditEntry.objects.filter(action="certificates.pdf_download").exists()
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.get(action="certificates.pdf_download").actor == staff


@pytest.mark.parametrize(
    "who", ["outsider", "other_programme_admin", "same_cohort", "another_cohort"]
)
def test_pdf_is_a_404_for_anyone_else(client, request, cohort, certificate, who):
    if who == "same_cohort":
        user = _person(cohort, "other@example.com", "Other Person")
    elif who == "another_cohort":
        other = CohortFactory(programme=cohort.programme, slug="autumn")
        user = _person(other, "autumn@example.com", "Autumn Person")
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("certificates:pdf", args=[certificate.code])).status_code == 404
    assert client.get(reverse("certificates:pdf", args=["nope"])).status_code == 404


def test_pdf_asks_an_anonymous_visitor_to_sign_in(client, certificate):
    response = client.get(reverse("certificates:pdf", args=[certificate.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nav_links_my_certificate_once_the_cohort_has_a_rule(client, participant, cohort, staff):
    link = 'href="/certificates/" data-testid="nav-certificates"'
    client.force_login(participant)
    assert link not in client.get(reverse("dashboard")).content.decode()
    services.rule_save(cohort=cohort, actor=staff, achievement_name="Applied AI")
    assert link in client.get(reverse("dashboard")).content.decode()
    client.force_login(staff)
    assert link not in client.get(reverse("dashboard")).content.decode()


def test_board_issue_all_counts_the_whole_cohort_under_a_filter(
    client, staff, cohort, rule, participant
):
    services.sign_off(cohort=cohort, user=participant, actor=staff)
    ready = _person(cohort, "ready@example.com", "Rahul Iyer")
    services.sign_off(cohort=cohort, user=ready, actor=staff)
    _person(cohort, "waiting@example.com", "Wang Wei")
    client.force_login(staff)
    found = client.get(_board(cohort), {"q": "rahul"}).content.decode()
    assert found.count('data-testid="board-row"') == 1 and ready.email in found
    assert 'data-testid="count-eligible">1<' in found  # the counts follow the search
    assert "Issue to everyone eligible (2)" in found  # the run issues to the whole cohort
    waiting = client.get(_board(cohort), {"state": "not_yet"}).content.decode()
    assert waiting.count('data-testid="board-row"') == 1
    assert "Issue to everyone eligible (2)" in waiting


def test_person_page_names_the_requirements_waived_at_issue(
    client, staff, cohort, rule, participant
):
    services.waiver_add(
        cohort=cohort, user=participant, requirement="sign_off", reason="On paper", actor=staff
    )
    services.certificate_issue(cohort=cohort, user=participant, actor=staff)
    client.force_login(staff)
    body = client.get(_person_url(cohort, participant)).content.decode()
    assert 'Waived at issue</dt><dd class="col-sm-8">Staff sign-off</dd>' in body
    assert "sign_off</dd>" not in body
