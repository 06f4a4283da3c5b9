"""Requests to correct a submitted application (PDPA): the applicant asks, programme staff see
the request with the application and resolve it, the applicant is told; all audited."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import privacy, selectors, services
from applications.enums import MAX_OPEN_DISPUTES, ApplicationStatus, DisputeStatus
from applications.models import ApplicationDispute
from cohorts.enums import QuestionType
from core.models import AuditEntry
from notifications.models import Notification
from programmes import audit
from tests.factories import (
    ApplicationDisputeFactory,
    ApplicationFactory,
    CohortFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "My employer is Harbour Logistics Pte Ltd, not Harbour Logistics."


@pytest.fixture
def cohort(programme):
    """Submitted applications of this cohort can no longer be edited (no edits after submit)."""
    cohort = CohortFactory(
        programme=programme, name="March 2026", slug="march-2026", allow_edit_after_submit=False
    )
    QuestionFactory(cohort=cohort, key="motivation", label="Why this programme?")
    return cohort


@pytest.fixture
def application(cohort, applicant):
    return ApplicationFactory(
        cohort=cohort,
        applicant=applicant,
        full_name="Siti Abdullah",
        status=ApplicationStatus.IN_REVIEW,
        answers={"motivation": "To learn."},
    )


@pytest.fixture
def other_cohort(other_programme):
    return CohortFactory(programme=other_programme, name="March 2026", slug="march-2026")


def _disputes_url(application):
    return reverse("applications:disputes", args=[application.pk])


def _staff_url(application):
    cohort = application.cohort
    return reverse(
        "applications:cohort_application_detail",
        args=[cohort.programme.slug, cohort.slug, application.pk],
    )


def _resolve_url(dispute, cohort=None):
    cohort = cohort or dispute.application.cohort
    return reverse(
        "applications:cohort_application_dispute_resolve",
        args=[cohort.programme.slug, cohort.slug, dispute.application_id, dispute.pk],
    )


def _state():
    """Every dispute, and how many dispute actions the audit log holds."""
    audited = AuditEntry.objects.filter(action__startswith="applications.dispute_").count()
    return list(ApplicationDispute.objects.order_by("pk").values_list()), audited


# --- what can be disputed ----------------------------------------------------------------------


def test_is_disputable_only_once_submitted_and_no_longer_editable(cohort, applicant):
    draft = ApplicationFactory(cohort=cohort, status=ApplicationStatus.DRAFT)
    submitted = ApplicationFactory(cohort=cohort, status=ApplicationStatus.SUBMITTED)
    accepted = ApplicationFactory(cohort=cohort, status=ApplicationStatus.ACCEPTED)
    editable_cohort = CohortFactory(programme=cohort.programme, allow_edit_after_submit=True)
    editable = ApplicationFactory(cohort=editable_cohort, status=ApplicationStatus.SUBMITTED)

    assert [a.is_disputable for a in (draft, submitted, accepted, editable)] == [
        False,
        True,
        True,
        False,
    ]


def test_dispute_permission_is_the_applicants_own(application, applicant, outsider, staff):
    assert applicant.has_perm("applications.dispute_application", application)
    assert not outsider.has_perm("applications.dispute_application", application)
    assert not staff.has_perm("applications.dispute_application", application)


def test_dispute_permission_refused_on_a_draft(cohort, applicant):
    draft = ApplicationFactory(cohort=cohort, applicant=applicant, status=ApplicationStatus.DRAFT)

    assert not applicant.has_perm("applications.dispute_application", draft)


def test_dispute_subjects_name_answers_profile_details_and_other(application):
    questions = list(application.cohort.questions.all())
    labels = selectors.dispute_subject_labels(
        selectors.dispute_subjects(application=application, questions=questions)
    )

    assert labels["answer:motivation"] == "Why this programme?"
    assert labels["profile:full_name"] == "Full name"
    assert labels["profile:employer"] == "Employer"
    assert labels["profile:date_of_birth"] == "Date of birth (age at the cohort's start)"
    assert labels["other"] == "Something else"
    assert "profile:age_at_start" not in labels


# --- services ----------------------------------------------------------------------------------


def test_dispute_open_stores_the_note_and_audits_ids_only(application, applicant):
    dispute = services.dispute_open(
        application=application, actor=applicant, about="profile:employer", note=f"  {NOTE}\n"
    )

    assert (dispute.about, dispute.note, dispute.status) == (
        "profile:employer",
        NOTE,
        DisputeStatus.OPEN,
    )
    entry = AuditEntry.objects.get(action="applications.dispute_opened")
    assert (entry.actor, entry.target_id, entry.programme_id, entry.data) == (
        applicant,
        str(application.pk),
        application.cohort.programme_id,
        {"dispute": dispute.pk, "about": "profile:employer"},
    )


@pytest.mark.parametrize(
    ("about", "note", "message"),
    [
        ("profile:employer", "   ", "Say what is wrong and what it should be."),
        ("profile:employer", "x" * 2001, "Keep the note to 2000 characters."),
        ("answer:nonsense", NOTE, "Choose what the correction is about from the list."),
        ("profile:password", NOTE, "Choose what the correction is about from the list."),
    ],
)
def test_dispute_open_refuses_bad_input(application, applicant, about, note, message):
    with pytest.raises(services.ApplicationError, match=message):
        services.dispute_open(application=application, actor=applicant, about=about, note=note)

    assert _state() == ([], 0)


def test_dispute_open_refuses_someone_else(application, outsider):
    with pytest.raises(services.ApplicationError, match="Only the applicant"):
        services.dispute_open(application=application, actor=outsider, about="other", note=NOTE)

    assert _state() == ([], 0)


def test_dispute_open_refuses_a_draft_and_an_editable_application(cohort, applicant):
    draft = ApplicationFactory(cohort=cohort, applicant=applicant, status=ApplicationStatus.DRAFT)
    editable = ApplicationFactory(
        cohort=CohortFactory(programme=cohort.programme, allow_edit_after_submit=True),
        applicant=applicant,
    )

    with pytest.raises(services.ApplicationError, match="still a draft"):
        services.dispute_open(application=draft, actor=applicant, about="other", note=NOTE)
    with pytest.raises(services.ApplicationError, match="can still edit"):
        services.dispute_open(application=editable, actor=applicant, about="other", note=NOTE)

    assert _state() == ([], 0)


def test_dispute_open_caps_open_requests_but_not_resolved_ones(application, applicant):
    ApplicationDisputeFactory.create_batch(MAX_OPEN_DISPUTES - 1, application=application)
    ApplicationDisputeFactory(
        application=application, status=DisputeStatus.RESOLVED, resolved_at=timezone.now()
    )
    services.dispute_open(application=application, actor=applicant, about="other", note=NOTE)

    with pytest.raises(services.ApplicationError, match="already have 10 open requests"):
        services.dispute_open(application=application, actor=applicant, about="other", note=NOTE)

    assert application.disputes.filter(status=DisputeStatus.OPEN).count() == MAX_OPEN_DISPUTES


def test_dispute_resolve_records_response_audits_and_notifies(application, applicant, staff):
    dispute = ApplicationDisputeFactory(application=application)

    services.dispute_resolve(dispute=dispute, actor=staff, response=" Corrected in our records. ")

    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolved_by, dispute.response) == (
        DisputeStatus.RESOLVED,
        staff,
        "Corrected in our records.",
    )
    assert dispute.resolved_at is not None
    entry = AuditEntry.objects.get(action="applications.dispute_resolved")
    assert (entry.actor, entry.target_id, entry.data) == (
        staff,
        str(application.pk),
        {"dispute": dispute.pk, "about": "profile:employer"},
    )
    notification = Notification.objects.get(recipient=applicant)
    assert (notification.kind, notification.url) == (
        "application.dispute_resolved",
        f"/applications/{application.pk}/#disputes",
    )
    assert notification.text == (
        "The programme team answered your correction request for March 2026."
    )
    # Neither the note nor the response travels in the notification.
    assert NOTE not in notification.text


def test_dispute_resolve_twice_is_refused_and_changes_nothing(application, staff, programme_admin):
    dispute = ApplicationDisputeFactory(application=application)
    services.dispute_resolve(dispute=dispute, actor=staff, response="Done.")
    before = _state()

    with pytest.raises(services.ApplicationError, match="already resolved"):
        services.dispute_resolve(dispute=dispute, actor=programme_admin, response="Again.")

    assert _state() == before


def test_audit_labels_name_the_dispute_actions():
    assert audit.action_label("applications.dispute_opened") == (
        "Correction requested by the applicant"
    )
    assert audit.action_label("applications.dispute_resolved") == "Correction request resolved"


# --- the applicant's pages ---------------------------------------------------------------------


def test_detail_shows_the_dispute_form_once_submitted(client, application, applicant):
    client.force_login(applicant)

    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()

    assert "Something wrong in your answers?" in body
    assert f'action="{_disputes_url(application)}"' in body
    assert '<option value="answer:motivation">Why this programme?</option>' in body
    assert 'for="id_note" class="form-label requiredField">' in body


def test_detail_of_a_draft_shows_no_dispute_form(client, cohort, applicant):
    draft = ApplicationFactory(cohort=cohort, applicant=applicant, status=ApplicationStatus.DRAFT)
    client.force_login(applicant)

    body = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()

    assert "Something wrong in your answers?" not in body


def test_applicant_opens_a_dispute(client, application, applicant):
    client.force_login(applicant)

    response = client.post(_disputes_url(application), {"about": "answer:motivation", "note": NOTE})

    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.pk}/#disputes"
    dispute = ApplicationDispute.objects.get()
    assert (dispute.application, dispute.about, dispute.note) == (
        application,
        "answer:motivation",
        NOTE,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Your request is sent to the programme team." in page
    assert NOTE in page
    assert "Why this programme?" in page


def test_applicant_sees_the_staff_response_but_not_who_wrote_it(
    client, application, applicant, staff
):
    dispute = ApplicationDisputeFactory(application=application)
    services.dispute_resolve(dispute=dispute, actor=staff, response="Corrected to Harbour.")
    client.force_login(applicant)

    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()

    assert "Corrected to Harbour." in body
    assert "Resolved on" in body
    assert "Ahmad Zulkifli" not in body
    assert "staff@example.com" not in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"about": "profile:employer", "note": ""}, "Say what is wrong and what it should be."),
        (
            {"about": "profile:employer", "note": "typed " + "x" * 2000},
            "Keep the note to 2000 characters; it has 2006.",
        ),
        ({"about": "answer:nonsense", "note": NOTE}, "from the list"),
        ({"note": NOTE}, "Choose what the correction is about."),
    ],
)
def test_bad_input_shows_the_form_again_with_what_was_typed(
    client, application, applicant, data, message
):
    client.force_login(applicant)

    response = client.post(_disputes_url(application), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if data.get("note"):
        assert data["note"][:40] in body
    assert _state() == ([], 0)


@pytest.mark.parametrize("persona", ["outsider", "staff", "programme_admin", "participant"])
def test_only_the_applicant_may_dispute(client, request, application, persona):
    client.force_login(request.getfixturevalue(persona))

    posted = client.post(_disputes_url(application), {"about": "other", "note": NOTE})
    shown = client.get(_disputes_url(application))

    assert (posted.status_code, shown.status_code) == (404, 404)
    assert _state() == ([], 0)


def test_a_draft_cannot_be_disputed(client, cohort, applicant):
    draft = ApplicationFactory(cohort=cohort, applicant=applicant, status=ApplicationStatus.DRAFT)
    client.force_login(applicant)

    response = client.post(_disputes_url(draft), {"about": "other", "note": NOTE})

    assert response.status_code == 400
    assert "still a draft: change your answers in the form instead" in response.content.decode()
    assert _state() == ([], 0)


def test_too_many_open_disputes_says_so(client, application, applicant):
    ApplicationDisputeFactory.create_batch(MAX_OPEN_DISPUTES, application=application)
    client.force_login(applicant)

    page = client.get(_disputes_url(application)).content.decode()
    response = client.post(_disputes_url(application), {"about": "other", "note": NOTE})

    assert "You have 10 open requests for this application." in page
    assert response.status_code == 400
    assert "You have 10 open requests for this application." in response.content.decode()
    assert application.disputes.count() == MAX_OPEN_DISPUTES


def test_the_disputes_page_lists_only_this_applications_requests(client, application, applicant):
    ApplicationDisputeFactory(application=application, note="Mine, about this one.")
    ApplicationDisputeFactory(note="Someone else's request.")
    client.force_login(applicant)

    body = client.get(_disputes_url(application)).content.decode()

    assert "Mine, about this one." in body
    assert "Someone else&#x27;s request." not in body
    assert "Someone else's request." not in body


# --- the staff pages -----------------------------------------------------------------------


def test_staff_detail_shows_open_and_resolved_disputes(client, application, staff):
    ApplicationDisputeFactory(application=application, about="answer:motivation", note="Open one")
    resolved = ApplicationDisputeFactory(application=application, note="Old one")
    services.dispute_resolve(dispute=resolved, actor=staff, response="Fixed it.")
    client.force_login(staff)

    body = client.get(_staff_url(application)).content.decode()

    assert "1 open correction request" in body
    assert "About: Why this programme?" in body
    assert "Open one" in body
    assert "1 resolved request" in body
    assert "Fixed it." in body
    assert body.count('data-testid="open-dispute"') == 1
    assert body.count('action="/programmes/') == 1  # a form for the open request only


def test_staff_detail_without_disputes_shows_no_badge(client, application, staff):
    client.force_login(staff)

    body = client.get(_staff_url(application)).content.decode()

    assert "open correction request" not in body
    assert 'id="disputes"' not in body


@pytest.mark.parametrize("persona", ["staff", "programme_admin", "platform_admin"])
def test_staff_resolve_a_dispute(client, request, application, applicant, persona):
    user = request.getfixturevalue(persona)
    dispute = ApplicationDisputeFactory(application=application)
    client.force_login(user)

    response = client.post(_resolve_url(dispute), {"response": "Corrected."})

    assert response.status_code == 302
    assert response["Location"] == _staff_url(application) + "#disputes"
    dispute.refresh_from_db()
    assert (dispute.status, dispute.response, dispute.resolved_by) == (
        DisputeStatus.RESOLVED,
        "Corrected.",
        user,
    )
    assert Notification.objects.filter(
        recipient=applicant, kind="application.dispute_resolved"
    ).exists()


def test_resolving_twice_says_so(client, application, staff):
    dispute = ApplicationDisputeFactory(application=application)
    client.force_login(staff)
    client.post(_resolve_url(dispute), {"response": "Corrected."})

    response = client.post(_resolve_url(dispute), {"response": "Again."}, follow=True)

    assert "This request was already resolved." in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.response == "Corrected."


def test_a_too_long_response_is_refused(client, application, staff):
    dispute = ApplicationDisputeFactory(application=application)
    client.force_login(staff)

    response = client.post(_resolve_url(dispute), {"response": "x" * 2001}, follow=True)

    assert "at most 2000 characters" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


@pytest.mark.parametrize("persona", ["reviewer", "mentor", "applicant", "outsider"])
def test_others_cannot_resolve(client, request, application, persona):
    dispute = ApplicationDisputeFactory(application=application)
    client.force_login(request.getfixturevalue(persona))
    before = _state()

    response = client.post(_resolve_url(dispute), {"response": "Corrected."})

    assert response.status_code in (403, 404)
    assert _state() == before


def test_staff_of_another_programme_cannot_resolve(client, application, other_programme_admin):
    dispute = ApplicationDisputeFactory(application=application)
    client.force_login(other_programme_admin)
    before = _state()

    response = client.post(_resolve_url(dispute), {"response": "Corrected."})

    assert response.status_code == 404
    assert _state() == before


def test_a_dispute_is_resolved_only_through_its_own_application(
    client, application, cohort, staff, other_cohort
):
    other = ApplicationFactory(cohort=cohort)
    dispute = ApplicationDisputeFactory(application=other)
    elsewhere = ApplicationDisputeFactory(application__cohort=other_cohort)
    client.force_login(staff)
    before = _state()
    wrong_application = reverse(
        "applications:cohort_application_dispute_resolve",
        args=[cohort.programme.slug, cohort.slug, application.pk, dispute.pk],
    )

    answers = [
        client.post(wrong_application, {"response": "x"}).status_code,
        # The other programme's dispute, asked through this programme's cohort of the same slug.
        client.post(_resolve_url(elsewhere, cohort=cohort), {"response": "x"}).status_code,
        client.post(_resolve_url(elsewhere), {"response": "x"}).status_code,
    ]

    assert answers == [404, 404, 404]
    assert _state() == before


@pytest.mark.parametrize("count", [1, 3])
def test_staff_detail_query_count_with_disputes(
    client, application, staff, django_assert_num_queries, count
):
    for n in range(count):
        dispute = ApplicationDisputeFactory(application=application)
        if n:
            ApplicationDispute.objects.filter(pk=dispute.pk).update(
                status=DisputeStatus.RESOLVED,
                resolved_at=timezone.now(),
                resolved_by=UserFactory(),
                response="Done.",
            )
    client.force_login(staff)
    # session, user, roles (with the authenticator), cohort, application, events (+ actors),
    # the audit entry of opening it, questions, disputes (+ who resolved), navigation and bell
    with django_assert_num_queries(10):
        response = client.get(_staff_url(application))
    assert response.content.decode().count('data-testid="open-dispute"') == 1


# --- the person's data export ------------------------------------------------------------------


def test_export_holds_the_persons_disputes_without_staff_identity(application, applicant, staff):
    dispute = ApplicationDisputeFactory(application=application, about="answer:motivation")
    services.dispute_resolve(dispute=dispute, actor=staff, response="Corrected.")
    dispute.refresh_from_db()
    ApplicationDisputeFactory(
        application=ApplicationFactory(cohort=application.cohort), note="Another person's note."
    )

    data = privacy.collect(applicant, frozenset())

    (record,) = data.records
    assert record["disputes"] == [
        {
            "about": "answer:motivation",
            "about_label": "Why this programme?",
            "note": NOTE,
            "created_at": dispute.created_at.isoformat(),
            "status": "resolved",
            "resolved_at": dispute.resolved_at.isoformat(),
            "response": "Corrected.",
        }
    ]
    assert "Another person's note." not in repr(data.records)
    assert "staff@example.com" not in repr(data.records)
    assert str(staff.pk) not in {str(v) for v in record["disputes"][0].values()}


def test_export_names_a_question_file_type_by_its_label(cohort, applicant):
    QuestionFactory(
        cohort=cohort, key="certificate", label="Your certificate", type=QuestionType.FILE
    )
    application = ApplicationFactory(cohort=cohort, applicant=applicant)
    ApplicationDisputeFactory(application=application, about="answer:certificate")

    (record,) = privacy.collect(applicant, frozenset()).records

    assert record["disputes"][0]["about_label"] == "Your certificate"
