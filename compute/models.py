"""Compute quotas: resources, pools per cohort, allocations per participant with their ledger,
top-up requests, metered usage and the integration tokens that report it."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from compute.enums import AllocationStatus, ChangeKind, Metering, RequestStatus, Unit
from core.models import TimeStampedModel
from core.tokens import HashedToken
from programmes.models import Partner, Programme
from selection.models import Participant

AMOUNT = {"max_digits": 20, "decimal_places": 4}


def format_amount(amount: Decimal) -> str:
    """An amount as people write it: 1234.5000 → "1,234.5"; 100.0000 → "100"."""
    text = f"{amount:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class ResourceType(TimeStampedModel):
    """A kind of compute a partner provides to the programme, in the unit people buy it in."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("short name"),
        max_length=60,
        help_text=_("Used by the providers' systems, e.g. gpu-h100."),
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    provider = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("provided by"),
    )
    metering = models.CharField(
        _("usage"), max_length=16, choices=Metering.choices, default=Metering.ACCUMULATES
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"], name="compute_resource_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_unit_display()})"

    @property
    def is_level(self) -> bool:
        return self.metering == Metering.LEVEL


class ResourcePool(TimeStampedModel):
    """What a cohort may use of one resource. `allocated` is the sum of its allocations'
    limits, kept by conditional updates; the database refuses it above `total`."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="resource_pools")
    resource = models.ForeignKey(ResourceType, on_delete=models.PROTECT, related_name="pools")
    total = models.DecimalField(_("total"), **AMOUNT)
    allocated = models.DecimalField(_("allocated"), default=Decimal(0), **AMOUNT)
    default_grant = models.DecimalField(
        _("default grant per participant"),
        default=Decimal(0),
        help_text=_("Given to each participant when they accept their offer."),
        **AMOUNT,
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    hard_limit = models.BooleanField(
        _("hard limit"),
        default=False,
        help_text=_(
            "Providers are told to stop a participant who has used their whole allocation."
        ),
    )

    class Meta:
        ordering = ["cohort", "resource__name", "id"]
        verbose_name = _("resource pool")
        verbose_name_plural = _("resource pools")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "resource"], name="compute_pool_one_per_resource"
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("total")), name="compute_pool_never_over_allocated"
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(total__gte=0) & Q(default_grant__gte=0),
                name="compute_pool_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="compute_pool_dates_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource.name} · {self.cohort.name}"

    @property
    def free(self) -> Decimal:
        return self.total - self.allocated


class Allocation(TimeStampedModel):
    """One participant's share of a pool: their limit and what they have used."""

    pool = models.ForeignKey(ResourcePool, on_delete=models.PROTECT, related_name="allocations")
    # The participant while they take part; kept empty after they leave (their seat's row is
    # deleted), when `user` still says whose allocation it was.
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    limit = models.DecimalField(_("limit"), **AMOUNT)
    used = models.DecimalField(_("used"), default=Decimal(0), **AMOUNT)
    # For level resources: the time of the reading `used` holds (a later reading replaces it).
    level_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AllocationStatus.choices,
        default=AllocationStatus.ACTIVE,
    )
    # Each threshold notifies once: the time it did, set by a conditional update.
    notified_80_at = models.DateTimeField(null=True, blank=True)
    notified_100_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pool", "user", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "user"], name="compute_allocation_one_per_pool"
            ),
            models.CheckConstraint(
                condition=Q(limit__gte=0) & Q(used__gte=0), name="compute_allocation_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool} · {self.user_id}"

    @property
    def remaining(self) -> Decimal:
        return max(self.limit - self.used, Decimal(0))

    @property
    def percent_used(self) -> int:
        if self.limit <= 0:
            return 100 if self.used > 0 else 0
        return int(self.used * 100 / self.limit)

    @property
    def is_exhausted(self) -> bool:
        return self.used >= self.limit


class AllocationChange(models.Model):
    """The ledger: every change of an allocation's limit or status, with who and why."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    delta = models.DecimalField(_("change of limit"), default=Decimal(0), **AMOUNT)
    limit_after = models.DecimalField(_("limit after"), **AMOUNT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation change")
        verbose_name_plural = _("allocation changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delta:+} → {self.limit_after}"


class AllocationRequest(TimeStampedModel):
    """A participant asking for more of a resource; decided by the programme's admins."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="requests")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    justification = models.TextField(_("why"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    granted = models.DecimalField(_("granted"), default=Decimal(0), **AMOUNT)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("top-up request")
        verbose_name_plural = _("top-up requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(granted__gte=0), name="compute_request_amounts_valid"
            ),
        ]


class IntegrationToken(HashedToken, TimeStampedModel):
    """A provider system's credential for the usage API: one programme, chosen resources.
    Only a hash of the secret is kept; the token is shown once, when it is created
    (core.tokens, shared with people's own tokens)."""

    SECRET_MARKER = "clk_"  # noqa: S105 - the public marker of every integration token

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="integration_tokens"
    )
    resources = models.ManyToManyField(ResourceType, related_name="tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")


class UsageRecord(models.Model):
    """One metered usage event. The reporting integration's event id is unique, so a record
    sent twice counts once."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="usage")
    token = models.ForeignKey(
        IntegrationToken, null=True, blank=True, on_delete=models.PROTECT, related_name="usage"
    )
    event_id = models.CharField(max_length=200)
    amount = models.DecimalField(**AMOUNT)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=16, default="api")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        constraints = [
            models.UniqueConstraint(fields=["token", "event_id"], name="compute_usage_event_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="compute_usage_not_negative"),
        ]
        indexes = [models.Index(fields=["allocation", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.amount}"
