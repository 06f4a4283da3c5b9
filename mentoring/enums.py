"""Choices of the mentoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """Languages a mentor can mentor in and a mentee can be mentored in."""

    ENGLISH = "en", _("English")
    MALAY = "ms", _("Malay")
    MANDARIN = "zh", _("Mandarin")
    TAMIL = "ta", _("Tamil")
    HINDI = "hi", _("Hindi")
    INDONESIAN = "id", _("Indonesian")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")
    TAGALOG = "tl", _("Tagalog")
    CANTONESE = "yue", _("Cantonese")
    JAPANESE = "ja", _("Japanese")
    KOREAN = "ko", _("Korean")
    ARABIC = "ar", _("Arabic")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    SPANISH = "es", _("Spanish")


class MatchingMode(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal: the most mentees matched, then the best total score")
    STABLE = "stable", _("Stable: no mentee and mentor would both rather be together")


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")  # in a run's preview, not yet introduced
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class PairingSource(models.TextChoices):
    ALGORITHM = "algorithm", _("Matched by the run")
    MANUAL = "manual", _("Assigned by hand")


class ForbiddenSource(models.TextChoices):
    ADMIN = "admin", _("Forbidden by an admin")
    CONFLICT = "conflict", _("Conflict declared by the mentor")


class SessionMode(models.TextChoices):
    VIDEO = "video", _("Video call")
    IN_PERSON = "in_person", _("In person")
    CHAT = "chat", _("Chat")


class LoggedBy(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
