"""Mentoring: mentors' profiles, mentees' preferences, forbidden pairs, matching runs, the
pairings they make, and the sessions each pairing logs (with the mentee's feedback)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Sector
from cohorts.models import Cohort
from core.models import TimeStampedModel
from mentoring.enums import (
    ForbiddenSource,
    LoggedBy,
    MatchingMode,
    PairingSource,
    PairingStatus,
    RunStatus,
    SessionMode,
)
from programmes.models import Programme

MAX_CAPACITY = 20
MAX_WISHES = 3


class MentorProfile(TimeStampedModel):
    """What a mentor of a programme offers, and how many mentees they take."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="mentor_profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profiles"
    )
    expertise = models.JSONField(_("expertise"), default=list, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    bio = models.TextField(_("short bio"), max_length=1500, blank=True)
    availability = models.CharField(
        _("availability"),
        max_length=200,
        blank=True,
        help_text=_("When you can meet, e.g. “Tuesday evenings, one hour every two weeks”."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("mentees I can take"),
        default=3,
        help_text=_("0 means you are not taking more mentees just now."),
    )

    class Meta:
        ordering = ["user__display_name", "user__email", "id"]
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="mentoring_profile_unique"),
            models.CheckConstraint(
                condition=Q(capacity__lte=MAX_CAPACITY), name="mentoring_capacity_max"
            ),
        ]

    def __str__(self) -> str:
        return self.user.display_name or self.user.email


class MenteePreference(TimeStampedModel):
    """What a participant of a cohort wants from mentoring."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="mentee_preferences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_preferences"
    )
    goals = models.TextField(_("what you want from mentoring"), max_length=1500, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    industry = models.CharField(_("industry"), max_length=32, choices=Sector.choices, blank=True)
    wish_1 = models.ForeignKey(
        MentorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wish_2 = models.ForeignKey(
        MentorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wish_3 = models.ForeignKey(
        MentorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    avoid = models.ManyToManyField(
        MentorProfile, blank=True, related_name="avoided_by", verbose_name=_("rather not")
    )

    class Meta:
        ordering = ["cohort_id", "user_id"]
        verbose_name = _("mentee preference")
        verbose_name_plural = _("mentee preferences")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="mentoring_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"

    @property
    def wish_ids(self) -> tuple[int, ...]:
        """The wished mentors' profile ids, best first."""
        return tuple(i for i in (self.wish_1_id, self.wish_2_id, self.wish_3_id) if i)


class ForbiddenPair(TimeStampedModel):
    """A mentee a mentor must never be matched with: forbidden by an admin, or a conflict the
    mentor declared."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="forbidden_pairs"
    )
    mentor = models.ForeignKey(
        MentorProfile, on_delete=models.CASCADE, related_name="forbidden_pairs"
    )
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=16, choices=ForbiddenSource.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("forbidden pair")
        verbose_name_plural = _("forbidden pairs")
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="mentoring_forbidden_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ✕ {self.mentee}"


class MatchingRun(TimeStampedModel):
    """One matching of a cohort's unpaired participants with the mentors' free places: a
    preview until it is published."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="matching_runs")
    number = models.PositiveIntegerField(_("run"))
    mode = models.CharField(_("mode"), max_length=16, choices=MatchingMode.choices)
    weights = models.JSONField(_("weights"), default=dict)
    language_required = models.BooleanField(_("a shared language is required"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PREVIEW
    )
    # What the run found: counts, the other mode's result, why each unmatched mentee is.
    summary = models.JSONField(_("summary"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="mentoring_run_number")
        ]

    def __str__(self) -> str:
        return f"Matching run {self.number} of {self.cohort}"

    @property
    def is_preview(self) -> bool:
        return self.status == RunStatus.PREVIEW


class Pairing(TimeStampedModel):
    """A mentee and their mentor: proposed in a run's preview, active once introduced, ended by
    either side or an admin."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pairings")
    run = models.ForeignKey(
        MatchingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentee_pairings"
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="pairings")
    status = models.CharField(
        _("status"), max_length=16, choices=PairingStatus.choices, default=PairingStatus.PROPOSED
    )
    source = models.CharField(
        _("source"), max_length=16, choices=PairingSource.choices, default=PairingSource.ALGORITHM
    )
    score = models.FloatField(_("score"), default=0.0)
    score_parts = models.JSONField(_("score, part by part"), default=dict)
    explanation = models.TextField(_("why this pair"), blank=True)
    # Why the mentee did not get their first wish, when a run paired them with someone else.
    wish_note = models.CharField(_("about the first wish"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("introduced at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)
    last_session_on = models.DateField(_("last session"), null=True, blank=True)
    # The day the gap a nudge was sent for began (the last session, or the introduction): one
    # nudge per gap, claimed with a conditional update.
    nudged_14_for = models.DateField(null=True, blank=True)
    nudged_28_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            # A mentee has one mentor at a time, and a run proposes each mentee once.
            models.UniqueConstraint(
                fields=["cohort", "mentee"],
                condition=Q(status="active"),
                name="mentoring_one_active_pairing",
            ),
            models.UniqueConstraint(
                fields=["run", "mentee"],
                condition=Q(status="proposed"),
                name="mentoring_run_mentee_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_session_on"])]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"

    @property
    def is_active(self) -> bool:
        return self.status == PairingStatus.ACTIVE

    @property
    def gap_start(self):
        """The day the current gap without a session began."""
        if self.last_session_on:
            return self.last_session_on
        return timezone.localdate(self.started_at) if self.started_at else None


class MentoringSession(TimeStampedModel):
    """A session a pairing held, logged by the mentor (or by the mentee, for the mentor to
    confirm), with the mentee's confirmation and rating."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    mode = models.CharField(_("how"), max_length=16, choices=SessionMode.choices)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    summary = models.TextField(_("summary, shared with the mentee"), max_length=4000, blank=True)
    private_notes = models.TextField(
        _("private notes, for the mentor only"), max_length=4000, blank=True
    )
    logged_by = models.CharField(_("logged by"), max_length=8, choices=LoggedBy.choices)
    mentor_confirmed = models.BooleanField(_("confirmed by the mentor"), default=False)
    attended = models.BooleanField(_("the mentee attended"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    feedback = models.TextField(_("comment"), max_length=2000, blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    # One per form shown: a double click or a resent form finds the row it already made.
    submission_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="mentoring_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=600), name="mentoring_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Session of {self.pairing} on {self.held_on}"

    @property
    def counts(self) -> bool:
        """A session counts once the mentor has confirmed it and the mentee did not say they
        were not there."""
        return self.mentor_confirmed and self.attended is not False
