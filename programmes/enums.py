"""Choices of the programmes app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("Programme admin")
    REVIEWER = "reviewer", _("Reviewer")
    MENTOR = "mentor", _("Mentor")
    STAFF = "staff", _("Staff / instructor")
    # Someone at one of the programme's partners: sees the dashboard's aggregates, nothing else.
    PARTNER_VIEWER = "partner_viewer", _("Partner viewer")


# The roles of the people who run the programme: each sees some of its personal data.
TEAM_ROLES = tuple(role for role in RoleKind.values if role != RoleKind.PARTNER_VIEWER)


class PartnerKind(models.TextChoices):
    DATA_CENTRE = "data_centre", _("Data-centre operator")
    CLOUD = "cloud", _("Cloud provider")
    UNION = "union", _("Trade union")
    EMPLOYER = "employer", _("Employer")
    TRAINING = "training", _("Training provider")
    GOVERNMENT = "government", _("Government agency")
    OTHER = "other", _("Other")
