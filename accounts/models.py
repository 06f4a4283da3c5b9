from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.tokens import HashedToken

from .enums import ConsentPurpose, Education, EmployerSize, Gender, JobLevel, Residency, Sector
from .validators import http_url_validator


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; there is no username."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    is_staff = models.BooleanField(
        _("platform staff"),
        default=False,
        help_text=_("May open the Django admin (platform admins only)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Emails and notifications are written in this language."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        """How greetings address the person: the name they gave, whole ("Hui Min Chua", not
        "Hui"), since the first word is not a given name in every naming order; the email
        address until they give one."""
        return self.display_name or self.email

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.is_superuser


class ApplicantProfile(TimeStampedModel):
    """What an applicant tells us once; eligibility rules and quotas read these fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_profile"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20)
    residency = models.CharField(_("residency status"), max_length=32, choices=Residency.choices)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=32, choices=Gender.choices)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    employer_size = models.CharField(
        _("employer size"), max_length=32, choices=EmployerSize.choices
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    job_level = models.CharField(_("job level"), max_length=32, choices=JobLevel.choices)
    is_union_member = models.BooleanField(_("union member"), default=False)
    highest_education = models.CharField(
        _("highest education"), max_length=32, choices=Education.choices
    )
    years_of_experience = models.PositiveSmallIntegerField(
        _("years of work experience"), validators=[MaxValueValidator(60)]
    )
    linkedin_url = models.URLField(
        _("LinkedIn profile"), blank=True, validators=[http_url_validator]
    )

    class Meta:
        verbose_name = _("applicant profile")
        verbose_name_plural = _("applicant profiles")
        indexes = [
            models.Index(fields=["sector"]),
            models.Index(fields=["job_level"]),
            models.Index(fields=["employer_size"]),
            models.Index(fields=["residency"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years_of_experience__lte=60),
                name="accounts_profile_experience_lte_60",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PersonalToken(HashedToken, TimeStampedModel):
    """A person's own bearer token for the JSON API: it acts as its owner, within its scopes.
    Made, kept and checked like every token (core.tokens): the secret is shown once and only
    its hash is stored."""

    SECRET_MARKER = "clp_"  # noqa: S105 - the public marker of every personal token

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ConsentRecordQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class ConsentRecord(models.Model):
    """One consent a person gave, for one purpose under one privacy notice version. Withdrawing
    stamps `withdrawn_at`; giving it again writes a new row, so the history stays whole. Rows
    are never deleted. Written only by accounts.services (consent_give, consent_withdraw)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=40)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["user", "purpose"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose", "notice_version"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="accounts_consent_one_active",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="accounts_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {self.notice_version}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
