"""Partners, programmes and the roles people hold in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from programmes.enums import PartnerKind, RoleKind


class Partner(TimeStampedModel):
    """An organisation that runs or funds programmes (operator, cloud provider, union…)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_partner"
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


RETENTION_MONTHS_DEFAULT = 24
RETENTION_MONTHS_MAX = 120


class Programme(TimeStampedModel):
    """A programme such as "AI Forward 2026", run by one or more partners."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    tagline = models.CharField(_("tagline"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        Partner,
        related_name="programmes",
        blank=True,
        verbose_name=_("partners"),
        db_table="cohorts_programme_partners",
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the public landing page.")
    )
    # How long a person's data is kept after their cohort ends (privacy/services.py purges it):
    # the privacy notice promises two years.
    retention_months_not_selected = models.PositiveSmallIntegerField(
        _("keep data of people not selected for (months)"),
        default=RETENTION_MONTHS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(RETENTION_MONTHS_MAX)],
        help_text=_("Counted from the end of their cohort. Applies to everyone without a place."),
    )
    retention_months_participants = models.PositiveSmallIntegerField(
        _("keep data of participants for (months)"),
        default=RETENTION_MONTHS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(RETENTION_MONTHS_MAX)],
        help_text=_("Counted from the end of their cohort. Issued certificates are kept."),
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_programme"
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohorts:programme_detail", kwargs={"slug": self.slug})

    @property
    def notification_scope(self) -> str:
        """The opaque scope that this programme's notifications and outbox emails carry."""
        return f"programme:{self.pk}"


class ProgrammeRole(TimeStampedModel):
    """A user's role in one programme. Applicants need none; superusers are platform admins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_roles",
        verbose_name=_("person"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="roles", verbose_name=_("programme")
    )
    role = models.CharField(_("role"), max_length=32, choices=RoleKind.choices)
    employer = models.CharField(
        _("employer"),
        max_length=200,
        blank=True,
        help_text=_("For reviewers: they are never given applications from their own employer."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    # For partner viewers only, and then required: the partner they see the dashboard for. It
    # must be one of the programme's partners (checked by `clean` and the grant service).
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="viewer_roles",
        verbose_name=_("partner"),
    )

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_programmerole"
        ordering = ["programme__name", "role", "user__email"]
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme", "role"], name="cohorts_role_unique_per_user"
            ),
            models.CheckConstraint(
                condition=(Q(role=RoleKind.PARTNER_VIEWER) & Q(partner__isnull=False))
                | (~Q(role=RoleKind.PARTNER_VIEWER) & Q(partner__isnull=True)),
                name="programmes_role_partner_for_viewers_only",
            ),
        ]
        indexes = [models.Index(fields=["programme", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.programme}"

    def clean(self) -> None:
        super().clean()
        if self.role != RoleKind.PARTNER_VIEWER:
            if self.partner_id is not None:
                raise ValidationError({"partner": _("Only partner viewers are tied to a partner.")})
            return
        if self.partner_id is None:
            raise ValidationError({"partner": _("Choose the partner this person works for.")})
        if self.programme_id and not self.programme.partners.filter(pk=self.partner_id).exists():
            raise ValidationError({"partner": _("Choose one of the programme's partners.")})
