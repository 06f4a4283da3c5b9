import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.demo import demo_pdf
from applications.enums import ApplicationStatus
from applications.forms import clean_upload_name
from applications.models import Application, ApplicationEvent
from cohorts import selectors
from cohorts.enums import QuestionType, RuleOperator
from notifications.models import Notification
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = demo_pdf("Siti Abdullah")


def pdf(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    QuestionFactory(
        cohort=cohort, key="motivation", label="Why?", type=QuestionType.LONG_TEXT, word_limit=5
    )
    supports = QuestionFactory(
        cohort=cohort, key="supports", label="Employer supports you?", type=QuestionType.YES_NO
    )
    QuestionFactory(
        cohort=cohort,
        key="how",
        label="How?",
        type=QuestionType.MULTI_CHOICE,
        choices=["Time", "Fees"],
        depends_on=supports,
        show_when=["yes"],
    )
    QuestionFactory(
        cohort=cohort, key="track", label="Track", type=QuestionType.CHOICE, choices=["Ops", "Data"]
    )
    QuestionFactory(
        cohort=cohort, key="site", label="Portfolio", type=QuestionType.URL, is_required=False
    )
    EligibilityRuleFactory(
        cohort=cohort,
        attribute="residency",
        operator=RuleOperator.IN,
        values=["citizen", "permanent_resident"],
    )
    return cohort


GOOD = {
    "q_motivation": "I love data",
    "q_supports": "yes",
    "q_how": ["Time"],
    "q_track": "Ops",
    "q_site": "",
}


def _apply_url(cohort):
    return reverse("applications:apply", args=[cohort.programme.slug, cohort.slug])


def _start(client, applicant, cohort):
    client.force_login(applicant)
    response = client.get(_apply_url(cohort))
    assert response.status_code == 200, response.content.decode()[:500]
    return Application.objects.get(applicant=applicant, cohort=cohort)


def _submit(client, application, data=None, files=None, consent=True):
    payload = {**(data if data is not None else GOOD)}
    if consent:
        payload["consent"] = "on"
    if files:
        payload.update(files)
    return client.post(reverse("applications:submit", args=[application.pk]), payload)


# --- starting and drafts -----------------------------------------------------------------------


def test_landing_lists_open_cohort_with_deadline(client, cohort):
    body = client.get("/").content.decode()
    assert "Main intake" in body
    # A visitor first reads who can apply; signing up comes from that page.
    assert reverse("cohorts:cohort_public", args=[cohort.programme.slug, "main"]) in body
    assert _apply_url(cohort) not in body
    assert "Deadline:" in body


def test_landing_offers_signed_in_users_both_apply_and_the_cohort_page(client, cohort, applicant):
    client.force_login(applicant)
    body = client.get("/").content.decode()
    assert _apply_url(cohort) in body
    assert reverse("cohorts:cohort_public", args=[cohort.programme.slug, "main"]) in body


def test_apply_requires_profile_first(client, cohort, outsider):
    client.force_login(outsider)
    response = client.get(_apply_url(cohort))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:profile") + "?next=")
    assert not Application.objects.exists()


def test_apply_creates_one_draft_with_profile_snapshot(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    assert application.status == ApplicationStatus.DRAFT
    assert (application.full_name, application.sector, application.is_eligible) == (
        "Siti Abdullah",
        "logistics",
        True,
    )
    client.get(_apply_url(cohort))
    assert Application.objects.filter(applicant=applicant).count() == 1
    assert list(application.events.values_list("to_status", flat=True)) == ["draft"]


def test_one_application_per_cohort_is_a_database_rule(cohort, applicant):
    ApplicationFactory(cohort=cohort, applicant=applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(cohort=cohort, applicant=applicant)


def test_draft_autosave_keeps_what_was_typed_and_survives_reload(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = client.post(
        reverse("applications:save", args=[application.pk]),
        {"q_motivation": "Half a thought", "q_track": "Nonsense", "q_unknown": "ignored"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    application.refresh_from_db()
    assert application.answers == {"motivation": "Half a thought", "track": "Nonsense"}
    page = client.get(_apply_url(cohort)).content.decode()
    assert "Half a thought" in page


def test_apply_page_shows_failing_eligibility_rule(client, cohort):
    user = ApplicantProfileFactory(residency="work_pass").user
    _start(client, user, cohort)
    body = client.get(_apply_url(cohort)).content.decode()
    assert "You cannot submit yet" in body
    assert (
        "Residency status must be one of: Citizen, Permanent resident; yours is Work pass holder."
        in body
    )


def test_closed_cohort_refuses_new_applications(client, cohort, applicant):
    cohort.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    cohort.opens_at = cohort.closes_at - datetime.timedelta(days=10)
    cohort.save()
    client.force_login(applicant)
    response = client.get(_apply_url(cohort))
    assert response.status_code == 409
    assert "Applications to Main intake are closed." in response.content.decode()


def test_unpublished_cohort_is_404(client, cohort, applicant):
    cohort.status = "draft"
    cohort.save()
    client.force_login(applicant)
    assert client.get(_apply_url(cohort)).status_code == 404


# --- uploads -------------------------------------------------------------------------------------


def _upload(client, application, upload):
    return client.post(reverse("applications:save", args=[application.pk]), {**GOOD, "cv": upload})


def test_cv_upload_stores_under_random_name(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = _upload(client, application, pdf("../../etc/My CV.pdf"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.cv_name == "My CV.pdf"
    assert application.cv.name.startswith("cvs/") and application.cv.name.endswith(".pdf")
    assert "My CV" not in application.cv.name and ".." not in application.cv.name
    download = client.get(reverse("applications:file", args=[application.pk, "cv"]))
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf(content=PDF + b"0" * (5 * 1024 * 1024 + 1 - len(PDF))), "the limit is 5 MB"),
        (pdf(content=b"<html><script>alert(1)</script></html>"), "This is not a PDF file"),
        (pdf("setup.pdf", content=b"MZ\x90\x00\x03" + b"\x00" * 500), "This is not a PDF file"),
        (pdf(content=b""), "The file is empty."),
    ],
    ids=["5MB+1", "html", "exe", "empty"],
)
def test_cv_upload_rejects_bad_files(client, cohort, applicant, upload, message):
    application = _start(client, applicant, cohort)
    response = _upload(client, application, upload)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "I love data" in body  # what was typed is kept
    application.refresh_from_db()
    assert not application.cv


def test_exactly_5_mb_is_accepted(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = _upload(
        client, application, pdf(content=PDF[:-6] + b"0" * (5 * 1024 * 1024 - len(PDF)) + PDF[-6:])
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.cv_size == 5 * 1024 * 1024


def test_upload_name_is_cleaned():
    assert clean_upload_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_upload_name("C:\\Users\\me\\cv.pdf") == "cv.pdf"
    assert clean_upload_name("cv\x00.pdf") == "cv.pdf"
    assert clean_upload_name("\x00") == "document.pdf"


# --- submitting ----------------------------------------------------------------------------------


def test_submit_happy_path_records_consent_event_and_receipt(
    client, cohort, applicant, django_capture_on_commit_callbacks
):
    application = _start(client, applicant, cohort)
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, application, files={"cv": pdf()})
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.consent_version == "1" and application.consent_at is not None
    assert application.answers == {
        "motivation": "I love data",
        "supports": "yes",
        "how": ["Time"],
        "track": "Ops",
    }
    assert [e.to_status for e in application.events.all()] == ["draft", "submitted"]
    assert (
        Notification.objects.get(recipient=applicant).text
        == "Your application to Main intake is submitted."
    )
    assert mail.outbox[-1].subject == "We have received your application to Main intake"
    detail = client.get(response["Location"]).content.decode()
    assert "Submitted" in detail


def test_submit_requires_consent_and_cv(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = _submit(client, application)
    assert response.status_code == 400
    assert "Upload your CV (PDF) before submitting." in response.content.decode()
    # The CV sent with a submit that lacks consent is kept; the consent is asked for.
    response = _submit(client, application, consent=False, files={"cv": pdf()})
    assert response.status_code == 400
    assert "Please agree to the privacy notice" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_answers_are_validated_whatever_the_browser_sent(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = _submit(
        client,
        application,
        data={
            "q_motivation": "one two three four five six",
            "q_supports": "no",
            "q_how": ["Time"],  # answered, but hidden because supports is "no"
            "q_track": "Astrology",
            "q_site": "javascript:alert(1)",
            "q_injected": "x",
        },
        files={"cv": pdf()},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Keep this to 5 words; you wrote 6." in body
    assert "Select a valid choice. Astrology is not one of the available choices." in body
    assert "Enter a web address starting with http:// or https://." in body
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert "injected" not in application.answers


def test_hidden_conditional_answer_is_discarded_on_submit(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = _submit(
        client,
        application,
        data={**GOOD, "q_supports": "no", "q_how": ["Fees"]},
        files={"cv": pdf()},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert "how" not in application.answers


def test_html_in_answers_is_shown_as_text(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    _submit(
        client,
        application,
        data={**GOOD, "q_motivation": "<script>x()</script>"},
        files={"cv": pdf()},
    )
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "<script>x()</script>" not in body
    assert "&lt;script&gt;x()&lt;/script&gt;" in body


def test_submit_while_ineligible_is_refused(client, cohort):
    user = ApplicantProfileFactory(residency="other").user
    application = _start(client, user, cohort)
    response = _submit(client, application, files={"cv": pdf()})
    assert response.status_code == 400
    assert "You are not eligible for this cohort" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submit_after_deadline_is_refused(client, cohort, applicant):
    cohort.closes_at = timezone.now() + datetime.timedelta(hours=1)
    cohort.save()
    application = _start(client, applicant, cohort)
    with time_machine.travel(cohort.closes_at + datetime.timedelta(seconds=1)):
        response = _submit(client, application, files={"cv": pdf()})
    assert response.status_code == 400
    assert "deadline has passed" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_two_quick_submits_give_one_submission(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    first = _submit(client, application, files={"cv": pdf()})
    second = _submit(client, application, files={"cv": pdf()})
    assert first.status_code == 302 and second.status_code == 302
    assert (
        ApplicationEvent.objects.filter(application=application, to_status="submitted").count() == 1
    )
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_edit_after_submit_when_allowed(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    _submit(client, application, files={"cv": pdf()})
    response = client.post(
        reverse("applications:save", args=[application.pk]), {**GOOD, "q_track": "Data"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["track"] == "Data"
    assert application.events.last().note == "Answers edited"
    bad = client.post(
        reverse("applications:save", args=[application.pk]), {**GOOD, "q_track": "Nope"}
    )
    assert bad.status_code == 400
    application.refresh_from_db()
    assert application.answers["track"] == "Data"


def test_edit_after_submit_refused_when_cohort_forbids(client, cohort, applicant):
    cohort.allow_edit_after_submit = False
    cohort.save()
    application = _start(client, applicant, cohort)
    _submit(client, application, files={"cv": pdf()})
    response = client.post(
        reverse("applications:save", args=[application.pk]), {**GOOD, "q_track": "Data"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["track"] == "Ops"


# --- withdrawal, lists, access -----------------------------------------------------------------


def test_withdraw_with_reason(client, cohort, applicant):
    application = ApplicationFactory(cohort=cohort, applicant=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:withdraw", args=[application.pk]), {"reason": "New job"}, follow=True
    )
    assert "Your application is withdrawn." in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.withdrawn_reason) == (
        ApplicationStatus.WITHDRAWN,
        "New job",
    )
    assert application.events.last().note == "New job"
    again = client.post(
        reverse("applications:withdraw", args=[application.pk]), {"reason": ""}, follow=True
    )
    assert "cannot become withdrawn" in again.content.decode()


def test_transition_table_refuses_invalid_moves(cohort, applicant):
    application = ApplicationFactory(
        cohort=cohort, applicant=applicant, status=ApplicationStatus.NOT_SELECTED
    )
    with pytest.raises(services.ApplicationError, match="cannot become offered"):
        services.application_transition(
            application=application, to_status=ApplicationStatus.OFFERED, actor=None
        )
    assert not application.events.exists()


def test_my_applications_lists_own_with_timeline(client, cohort, applicant, outsider):
    mine = ApplicationFactory(cohort=cohort, applicant=applicant)
    ApplicationFactory(cohort=cohort, applicant=outsider, full_name="Someone Else")
    services.application_transition(
        application=mine, to_status=ApplicationStatus.IN_REVIEW, actor=None
    )
    client.force_login(applicant)
    body = client.get(reverse("applications:mine")).content.decode()
    assert "Main intake" in body and "In review" in body
    assert "Someone Else" not in body


@pytest.mark.parametrize("count", [1, 3])
def test_my_applications_query_count(client, applicant, django_assert_num_queries, count):
    for _ in range(count):
        ApplicationFactory(applicant=applicant)
    client.force_login(applicant)
    # session, user, roles, applications, events (prefetch), open cohorts, navigation and bell
    with django_assert_num_queries(7):
        client.get(reverse("applications:mine"))


@pytest.mark.parametrize(
    "url_name", ["applications:detail", "applications:save", "applications:withdraw"]
)
def test_someone_elses_application_is_404(client, cohort, applicant, outsider, url_name):
    theirs = ApplicationFactory(cohort=cohort, applicant=outsider, full_name="Private Person")
    client.force_login(applicant)
    method = client.get if url_name == "applications:detail" else client.post
    response = method(reverse(url_name, args=[theirs.pk]))
    assert response.status_code == 404
    assert "Private Person" not in response.content.decode()


def test_someone_elses_cv_is_404(client, cohort, applicant, outsider):
    theirs = ApplicationFactory(cohort=cohort, applicant=outsider)
    theirs.cv.save("cv.pdf", pdf(), save=True)
    client.force_login(applicant)
    assert client.get(reverse("applications:file", args=[theirs.pk, "cv"])).status_code == 404


def test_deadline_reminder_goes_once_to_drafts(
    cohort, applicant, django_capture_on_commit_callbacks
):
    draft = ApplicationFactory(cohort=cohort, applicant=applicant, status=ApplicationStatus.DRAFT)
    ApplicationFactory(cohort=cohort)  # submitted: no reminder
    with time_machine.travel(cohort.closes_at - datetime.timedelta(hours=72)):
        assert services.application_deadline_reminders() == 0
    with time_machine.travel(cohort.closes_at - datetime.timedelta(hours=47)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.application_deadline_reminders() == 1
        assert services.application_deadline_reminders() == 0
    draft.refresh_from_db()
    assert draft.deadline_reminder_sent_at is not None
    assert [m.subject for m in mail.outbox] == [
        "48 hours left to submit your application to Main intake"
    ]


def test_visible_question_keys_follows_conditions(cohort):
    questions = selectors.question_list_for_cohort(cohort=cohort)
    assert "how" in selectors.visible_question_keys(questions, {"supports": "yes"})
    assert "how" not in selectors.visible_question_keys(questions, {"supports": "no"})
    assert "how" not in selectors.visible_question_keys(questions, {})


def test_other_user_cannot_start_through_service_when_cohort_closed(cohort):
    cohort.status = "archived"
    cohort.save()
    with pytest.raises(services.ApplicationError):
        services.application_start(cohort=cohort, applicant=UserFactory())


def test_open_cohorts_offer_only_those_not_applied_to(client, cohort, applicant):
    other = CohortFactory(programme=cohort.programme, name="Evening intake", slug="evening")
    ApplicationFactory(cohort=cohort, applicant=applicant)
    client.force_login(applicant)
    body = client.get(reverse("applications:mine")).content.decode()
    assert _apply_url(other) in body
    assert _apply_url(cohort) not in body


def test_file_question_upload_and_requirement(client, cohort, applicant):
    QuestionFactory(
        cohort=cohort, key="certificate", label="Your latest certificate", type=QuestionType.FILE
    )
    application = _start(client, applicant, cohort)
    response = _submit(client, application, files={"cv": pdf()})
    assert response.status_code == 400
    assert "Upload a file for: Your latest certificate." in response.content.decode()
    bad = _submit(client, application, files={"q_certificate": pdf("cert.pdf", b"not a pdf")})
    assert "This is not a PDF file" in bad.content.decode()
    response = _submit(client, application, files={"q_certificate": pdf("../cert.pdf")})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["certificate"]["name"] == "cert.pdf"
    download = client.get(reverse("applications:file", args=[application.pk, "certificate"]))
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_give_one_submission(cohort, applicant):
    """Two requests submitting the same draft at the same moment: one wins, one is refused."""
    import threading

    from django.db import connection

    application = services.application_start(cohort=cohort, applicant=applicant)
    application.cv.save("cv.pdf", pdf(), save=True)
    services.application_save_answers(
        application=application,
        answers={"motivation": "Yes", "supports": "no", "track": "Ops"},
        actor=applicant,
        replace=True,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.application_submit(application=application, actor=applicant, consent=True)
            outcomes.append("submitted")
        except services.ApplicationError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["This application has already been submitted.", "submitted"]
    assert (
        ApplicationEvent.objects.filter(application=application, to_status="submitted").count() == 1
    )


# --- defects found in review -------------------------------------------------------------------


def test_autosave_after_submit_cannot_undo_the_submission(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    stale = Application.objects.get(pk=application.pk)  # what a racing autosave request loaded
    _submit(client, application, files={"cv": pdf()})
    with pytest.raises(services.ApplicationError, match="submitted meanwhile"):
        services.application_save_answers(
            application=stale, answers={"track": "Data"}, actor=applicant
        )
    application.refresh_from_db()
    assert (
        application.status == ApplicationStatus.SUBMITTED and application.submitted_at is not None
    )
    assert application.events.filter(to_status="submitted").count() == 1


def test_htmx_autosave_after_submit_reports_error_out_of_band(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    _submit(client, application, files={"cv": pdf()})
    cohort.allow_edit_after_submit = False
    cohort.save()
    response = client.post(
        reverse("applications:save", args=[application.pk]), GOOD, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_non_finite_numbers_are_refused_not_500(client, cohort, applicant):
    QuestionFactory(cohort=cohort, key="hours", label="Hours", type=QuestionType.NUMBER)
    EligibilityRuleFactory(
        cohort=cohort, attribute="answer:hours", operator=RuleOperator.AT_LEAST, values=["4"]
    )
    application = _start(client, applicant, cohort)
    for bad in ("NaN", "sNaN", "Infinity", "1e1000000"):
        saved = client.post(
            reverse("applications:save", args=[application.pk]),
            {**GOOD, "q_hours": bad},
            HTTP_HX_REQUEST="true",
        )
        assert saved.status_code == 200
        response = _submit(client, application, data={**GOOD, "q_hours": bad}, files={"cv": pdf()})
        assert response.status_code == 400, bad
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_clearing_every_box_of_a_multiple_choice_is_saved(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    client.post(
        reverse("applications:save", args=[application.pk]), {**GOOD, "q_how": ["Time", "Fees"]}
    )
    client.post(reverse("applications:save", args=[application.pk]), {**GOOD, "q_how": [""]})
    application.refresh_from_db()
    assert application.answers["how"] == []


def test_edit_after_submit_with_an_error_keeps_every_edit(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    _submit(client, application, files={"cv": pdf()})
    response = client.post(
        reverse("applications:save", args=[application.pk]),
        {**GOOD, "q_motivation": "A fresh thought", "q_track": "Nope"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "A fresh thought" in body


def test_edit_that_would_make_a_submission_ineligible_is_refused(client, cohort, applicant):
    EligibilityRuleFactory(
        cohort=cohort, attribute="answer:track", operator=RuleOperator.IN, values=["Ops"]
    )
    application = _start(client, applicant, cohort)
    _submit(client, application, files={"cv": pdf()})
    response = client.post(
        reverse("applications:save", args=[application.pk]), {**GOOD, "q_track": "Data"}
    )
    assert response.status_code == 400
    assert "This change would make you ineligible" in response.content.decode()
    application.refresh_from_db()
    assert (application.answers["track"], application.is_eligible) == ("Ops", True)


def test_refused_submit_leaves_the_draft_untouched(client, cohort):
    user = ApplicantProfileFactory(residency="other").user
    application = _start(client, user, cohort)
    client.post(
        reverse("applications:save", args=[application.pk]),
        {**GOOD, "q_supports": "no", "q_how": ["Fees"]},
    )
    _submit(
        client,
        application,
        data={**GOOD, "q_supports": "no", "q_how": ["Fees"]},
        files={"cv": pdf()},
    )
    application.refresh_from_db()
    assert application.answers["how"] == ["Fees"]  # not dropped by a submission that failed


def test_apply_page_shows_current_eligibility(client, cohort, applicant):
    _start(client, applicant, cohort)
    applicant.applicant_profile.residency = "work_pass"
    applicant.applicant_profile.save()
    body = client.get(_apply_url(cohort)).content.decode()
    assert "yours is Work pass holder" in body


def test_conditions_work_whatever_the_question_order_and_cycles_show_nothing(cohort):
    questions = {q.key: q for q in selectors.question_list_for_cohort(cohort=cohort)}
    questions["how"].position, questions["supports"].position = 0, 99
    questions["how"].save()
    questions["supports"].save()
    ordered = selectors.question_list_for_cohort(cohort=cohort)
    assert "how" in selectors.visible_question_keys(ordered, {"supports": "yes"})
    questions["supports"].depends_on, questions["supports"].show_when = questions["how"], ["Time"]
    questions["supports"].save()
    cyclic = selectors.question_list_for_cohort(cohort=cohort)
    visible = selectors.visible_question_keys(cyclic, {"supports": "yes", "how": ["Time"]})
    assert "how" not in visible and "supports" not in visible


def test_staff_cannot_open_drafts(client, cohort, staff, applicant):
    draft = ApplicationFactory(
        cohort=cohort, applicant=applicant, status=ApplicationStatus.DRAFT, full_name="Draft Person"
    )
    client.force_login(staff)
    url = reverse(
        "applications:cohort_application_detail",
        args=[cohort.programme.slug, cohort.slug, draft.pk],
    )
    assert client.get(url).status_code == 404


def test_staff_download_file_answer_is_audited(client, cohort, applicant, staff):
    from core.models import AuditEntry

    QuestionFactory(
        cohort=cohort,
        key="certificate",
        label="Certificate",
        type=QuestionType.FILE,
        is_required=False,
    )
    application = _start(client, applicant, cohort)
    _submit(client, application, files={"cv": pdf(), "q_certificate": pdf("cert.pdf")})
    client.force_login(staff)
    url = reverse(
        "applications:cohort_application_file",
        args=[cohort.programme.slug, cohort.slug, application.pk, "certificate"],
    )
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.get(action="applications.file_download").data == {
        "file": "certificate"
    }
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


# --- submit racing an autosave -------------------------------------------------------------------

FINAL = {**GOOD, "q_motivation": "FINAL TEXT"}
OLDER = {**GOOD, "q_motivation": "OLDER TEXT", "stage": "draft"}


def test_submit_stores_exactly_the_posted_answers_whatever_the_draft_holds(
    client, cohort, applicant, monkeypatch
):
    """An autosave of older text that lands while the submit request runs (here: while its
    CV is being scanned, the edge where the request waits longest) changes nothing."""
    application = _start(client, applicant, cohort)

    def scan_while_an_autosave_lands(upload):
        services.application_save_answers(
            application=Application.objects.get(pk=application.pk),
            answers={"motivation": "OLDER TEXT"},
            actor=applicant,
            expected_status=ApplicationStatus.DRAFT,
        )

    monkeypatch.setattr("applications.forms.validate_upload_is_clean", scan_while_an_autosave_lands)
    response = _submit(client, application, data=FINAL, files={"cv": pdf()})
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.answers == {
        "motivation": "FINAL TEXT",
        "supports": "yes",
        "how": ["Time"],
        "track": "Ops",
    }


def test_application_submit_with_answers_replaces_the_stored_draft(cohort, applicant):
    application = services.application_start(cohort=cohort, applicant=applicant)
    application.cv.save("cv.pdf", pdf(), save=True)
    services.application_save_answers(
        application=application,
        answers={"motivation": "OLDER TEXT", "supports": "yes", "how": ["Fees"], "track": "Ops"},
        actor=applicant,
    )
    submitted = services.application_submit(
        application=application,
        actor=applicant,
        consent=True,
        answers={"motivation": "FINAL TEXT", "supports": "no", "track": "Data"},
    )
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.answers == {"motivation": "FINAL TEXT", "supports": "no", "track": "Data"}


@pytest.mark.parametrize("htmx", [True, False])
def test_draft_autosave_after_submit_changes_nothing_even_when_edits_are_allowed(
    client, cohort, applicant, htmx
):
    """The draft page's autosave (or its "Save draft" button) arriving after the submit must
    not become an edit of the submitted application: edits go through the edit page."""
    assert cohort.allow_edit_after_submit
    application = _start(client, applicant, cohort)
    _submit(client, application, data=FINAL, files={"cv": pdf()})
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(reverse("applications:save", args=[application.pk]), OLDER, **extra)
    if htmx:
        assert response.status_code == 409
        assert "was submitted meanwhile" in response.content.decode()
    else:
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "was submitted meanwhile" in page
    application.refresh_from_db()
    assert application.answers["motivation"] == "FINAL TEXT"
    assert not application.events.filter(note="Answers edited").exists()


def test_htmx_autosave_without_stage_after_submit_changes_nothing(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    _submit(client, application, data=FINAL, files={"cv": pdf()})
    older = {k: v for k, v in OLDER.items() if k != "stage"}
    response = client.post(
        reverse("applications:save", args=[application.pk]), older, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.answers["motivation"] == "FINAL TEXT"


def test_edit_page_of_a_submitted_application_saves_as_an_edit(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    _submit(client, application, data=FINAL, files={"cv": pdf()})
    form = client.get(_apply_url(cohort)).content.decode()
    assert '<input type="hidden" name="stage" value="submitted">' in form
    assert "hx-post" not in form  # no autosave on the edit page
    response = client.post(
        reverse("applications:save", args=[application.pk]),
        {**FINAL, "q_motivation": "EDITED TEXT", "stage": "submitted"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["motivation"] == "EDITED TEXT"
    assert application.events.filter(note="Answers edited").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_submit_racing_an_autosave_always_submits_the_final_text(cohort):
    """The applicant presses Submit with FINAL TEXT while an autosave of OLDER TEXT, sent a
    moment earlier, lands 5–55 ms later. Every round must submit exactly FINAL TEXT."""
    import threading
    import time

    from django.db import connection
    from django.test import Client

    failures = []
    for round_number, delay_ms in enumerate(range(5, 60, 5)):
        user = ApplicantProfileFactory(user__email=f"racer{round_number}@example.com").user
        application = services.application_start(cohort=cohort, applicant=user)
        outcomes = {}

        def submit(user=user, application=application, outcomes=outcomes):
            try:
                browser = Client()
                browser.force_login(user)
                response = _submit(browser, application, data=FINAL, files={"cv": pdf()})
                outcomes["submit"] = response.status_code
            finally:
                connection.close()

        def autosave(user=user, application=application, outcomes=outcomes, delay=delay_ms):
            try:
                browser = Client()
                browser.force_login(user)
                time.sleep(delay / 1000)
                outcomes["autosave"] = browser.post(
                    reverse("applications:save", args=[application.pk]),
                    OLDER,
                    HTTP_HX_REQUEST="true",
                ).status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=submit), threading.Thread(target=autosave)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        application.refresh_from_db()
        assert outcomes["submit"] == 302, (delay_ms, outcomes)
        assert outcomes["autosave"] in (200, 409), (delay_ms, outcomes)
        if (application.status, application.answers.get("motivation")) != (
            ApplicationStatus.SUBMITTED,
            "FINAL TEXT",
        ):
            failures.append((delay_ms, application.status, application.answers.get("motivation")))
    assert failures == []


# --- NUL characters in answers -------------------------------------------------------------------

NUL_MESSAGE = "This contains a NUL character (an invisible control character"


def test_nul_in_an_answer_is_refused_on_its_field_keeping_what_was_typed(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    client.post(reverse("applications:save", args=[application.pk]), GOOD)
    response = client.post(
        reverse("applications:save", args=[application.pk]),
        {**GOOD, "q_motivation": "hello\x00world", "q_track": "Data", "cv": pdf()},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert NUL_MESSAGE in body
    assert "hello\x00world</textarea>" in body  # shown again as typed
    application.refresh_from_db()
    assert application.answers == {
        "motivation": "I love data",
        "supports": "yes",
        "how": ["Time"],
        "track": "Ops",
        "site": "",
    }
    assert not application.cv


def test_htmx_autosave_with_nul_says_which_question_and_saves_nothing(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = client.post(
        reverse("applications:save", args=[application.pk]),
        {"q_motivation": "hello\x00world", "q_track": "Data"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert 'hx-swap-oob="true"' in body
    assert "Not saved. “Why?”: " + NUL_MESSAGE in body
    application.refresh_from_db()
    assert application.answers == {}


def test_submit_with_nul_is_refused_and_saves_nothing(client, cohort, applicant):
    application = _start(client, applicant, cohort)
    response = _submit(
        client, application, data={**GOOD, "q_motivation": "hello\x00world"}, files={"cv": pdf()}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert NUL_MESSAGE in body
    assert "Some answers need attention" in body
    application.refresh_from_db()
    assert (application.status, application.answers, bool(application.cv)) == (
        ApplicationStatus.DRAFT,
        {},
        False,
    )


def test_withdraw_with_nul_in_the_reason_is_refused(client, cohort, applicant):
    application = ApplicationFactory(cohort=cohort, applicant=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:withdraw", args=[application.pk]),
        {"reason": "new\x00job"},
        follow=True,
    )
    assert NUL_MESSAGE in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
