from django.db import models
from django.utils.translation import gettext_lazy as _


class Residency(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    PERMANENT_RESIDENT = "permanent_resident", _("Permanent resident")
    WORK_PASS = "work_pass", _("Work pass holder")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Another gender")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Prefer not to say")


class EmployerSize(models.TextChoices):
    SME = "sme", _("Small or medium enterprise")
    LARGE = "large", _("Large enterprise")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    NOT_EMPLOYED = "not_employed", _("Not employed")


class Sector(models.TextChoices):
    ICT = "ict", _("Information and communications technology")
    DATA_CENTRES = "data_centres", _("Data centres and cloud")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FINANCE = "finance", _("Finance and insurance")
    HEALTHCARE = "healthcare", _("Health and social care")
    EDUCATION = "education", _("Education")
    PUBLIC_ADMINISTRATION = "public_administration", _("Public administration")
    RETAIL = "retail", _("Retail and hospitality")
    LOGISTICS = "logistics", _("Transport and logistics")
    CONSTRUCTION = "construction", _("Construction and real estate")
    ENERGY = "energy", _("Energy and utilities")
    OTHER = "other", _("Other")


class JobLevel(models.TextChoices):
    FRONTLINE = "frontline", _("Frontline")
    PROFESSIONAL = "professional", _("Professional")
    MANAGER = "manager", _("Manager")
    EXECUTIVE = "executive", _("Executive")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("Secondary school")
    VOCATIONAL = "vocational", _("Vocational certificate")
    DIPLOMA = "diploma", _("Diploma")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")
    OTHER = "other", _("Other")


class TokenScope(models.TextChoices):
    """What a person's own API token may do. The usage API of compute providers takes their
    integration tokens only, never a person's."""

    READ = "read", _("Read: everything you can see on the site, through the read API")


class ConsentPurpose(models.TextChoices):
    """What a person agrees their personal data may be used for (Singapore's PDPA)."""

    PROCESSING = "processing", _("Processing your applications")
    PARTNER_AGGREGATES = "partner_aggregates", _("Sharing anonymous figures with partners")
    NEWS = "news", _("News about programmes")

    @property
    def is_optional(self) -> bool:
        """Optional consents are given and withdrawn on the privacy page; consent to
        processing is given with each application and withdrawn with all of them."""
        return self != ConsentPurpose.PROCESSING


# The version of the site-wide privacy notice that optional consents are given under. A cohort
# names the notice its applicants agree to (Cohort.privacy_notice_version).
SITE_PRIVACY_NOTICE_VERSION = "2026-1"
