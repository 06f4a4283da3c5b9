"""A person with data in every app, for the tests of access requests and erasure."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import ConsentRecord
from applications import services as application_services
from applications.enums import ApplicationStatus
from exports.services import private_storage
from notifications.models import EmailMessage, Notification
from reviews.models import ReviewCriterion
from selection.enums import OfferStatus

from .accounts import ApplicantProfileFactory
from .applications import ApplicationFactory
from .certificates import CertificateFactory, course_taken
from .cohorts import CohortFactory, QuestionFactory
from .compute import AllocationFactory, ResourcePoolFactory, UsageRecordFactory
from .mentoring import MenteePreferenceFactory, MentoringSessionFactory, PairingFactory
from .reviews import ReviewAssignmentFactory, ReviewFactory
from .selection import OfferFactory, ParticipantFactory


def privacy_cohort(programme):
    """A cohort whose decisions are out, with one question and one review criterion."""
    now = timezone.now()
    cohort = CohortFactory(
        programme=programme,
        name="Spring intake",
        slug="spring",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        decisions_released_at=now - datetime.timedelta(days=7),
    )
    QuestionFactory(cohort=cohort, key="motivation", label="Why this programme?")
    ReviewCriterion.objects.create(cohort=cohort, name="Impact", position=1)
    return cohort


def everything(
    cohort,
    *,
    email: str,
    name: str,
    marker: str,
    mentor,
    course,
    staff,
    phone: str = "+6591234567",
    employer: str = "Harbour Logistics",
):
    """A participant of `cohort` with data in every app; `marker` is in their free text."""
    profile = ApplicantProfileFactory(
        user__email=email, full_name=name, phone=phone, employer=employer
    )
    person = profile.user
    storage = private_storage()
    cv = storage.save(f"cv/{marker}.pdf", ContentFile(f"%PDF cv of {marker}".encode()))
    answer = storage.save(f"answers/{marker}.pdf", ContentFile(f"%PDF plan of {marker}".encode()))
    application = ApplicationFactory(
        cohort=cohort,
        applicant=person,
        full_name=name,
        email=email,
        status=ApplicationStatus.ACCEPTED,
        submitted_at=timezone.now() - datetime.timedelta(days=40),
        answers={
            "motivation": f"Motivation {marker}",
            "plan": {"name": "plan.pdf", "path": answer, "size": 20},
        },
        cv=cv,
        cv_name="my cv.pdf",
    )
    criterion = cohort.criteria.get()
    review = ReviewFactory(
        assignment=ReviewAssignmentFactory(application=application),
        submitted=True,
        scores={str(criterion.pk): 4},
        comment=f"Reviewer private comment {marker}",
    )
    OfferFactory(
        application=application,
        status=OfferStatus.ACCEPTED,
        expires_at=timezone.now(),
        decided_at=timezone.now() - datetime.timedelta(days=1),
    )
    participant = ParticipantFactory(application=application)
    pool = ResourcePoolFactory(cohort=cohort, resource__programme=cohort.programme)
    allocation = AllocationFactory(pool=pool, participant=participant, user=person)
    UsageRecordFactory(allocation=allocation)
    MenteePreferenceFactory(cohort=cohort, user=person, goals=f"Goals {marker}")
    pairing = PairingFactory(cohort=cohort, mentee=person, mentor=mentor)
    MentoringSessionFactory(
        pairing=pairing,
        summary=f"Shared summary {marker}",
        private_notes=f"Mentor private note {marker}",
    )
    course_taken(course, cohort, person)
    pdf = storage.save(f"certificates/{marker}.pdf", ContentFile(f"%PDF cert {marker}".encode()))
    CertificateFactory(cohort=cohort, user=person, holder_name=name, pdf_name=pdf)
    Notification.objects.create(recipient=person, kind="test", text=f"Notice {marker}")
    EmailMessage.objects.create(
        recipient=person,
        kind="test",
        subject=f"Email {marker}",
        body_text="Hello",
        body_html="<p>Hello</p>",
    )
    ConsentRecord.objects.create(
        user=person, purpose="news", notice_version="2026-01", given_at=timezone.now()
    )
    application_services.application_viewed(application=application, actor=staff)
    application_services.application_file_opened(application=application, actor=staff, what="cv")
    return person, review
