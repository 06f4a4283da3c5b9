from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .enums import EmailStatus


class NotificationQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_staged=False)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(TimeStampedModel):
    """An entry in a user's notification centre."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    scope = models.CharField(
        _("scope"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_('What the message belongs to, as set by the sender (e.g. "programme:12").'),
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    is_staged = models.BooleanField(
        _("staged"), default=False, help_text=_("Hidden from the recipient until released.")
    )
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    batch = models.CharField(
        _("batch"),
        max_length=100,
        blank=True,
        help_text=_(
            "Staged messages of one workflow step, released together (for example one "
            "cohort's decision letters)."
        ),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "is_staged", "read_at"]),
            models.Index(fields=["batch", "is_staged"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notifications_notification_dedupe",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailMessage(TimeStampedModel):
    """The outbox: one row per email, the source of truth for its delivery."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emails"
    )
    to_email = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=64)
    scope = models.CharField(
        _("scope"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_('What the message belongs to, as set by the sender (e.g. "programme:12").'),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text part"))
    body_html = models.TextField(_("HTML part"))
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    batch = models.CharField(
        _("batch"),
        max_length=100,
        blank=True,
        help_text=_(
            "Staged messages of one workflow step, released together (for example one "
            "cohort's decision letters)."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["scope", "status"]),
            models.Index(fields=["batch", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notifications_email_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"

    @property
    def message_id(self) -> str:
        """A stable Message-ID, so that a receiving server can drop an accidental repeat."""
        domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"<cohortline.{self.pk}@{domain or 'localhost'}>"


class NotificationPreference(TimeStampedModel):
    """A user's choice for one kind; absent means both channels on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=64)
    is_email_enabled = models.BooleanField(_("email"), default=True)
    is_in_app_enabled = models.BooleanField(_("in the app"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"
