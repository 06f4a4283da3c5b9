"""Choices of the cohorts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CohortStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class QuestionType(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    YES_NO = "yes_no", _("Yes / no")
    URL = "url", _("Web address")
    FILE = "file", _("File (PDF)")


class RuleOperator(models.TextChoices):
    IN = "in", _("is one of")
    NOT_IN = "not_in", _("is not one of")
    BETWEEN = "between", _("is between")
    AT_LEAST = "at_least", _("is at least")
    AT_MOST = "at_most", _("is at most")
    IS_TRUE = "is_true", _("is yes")
    IS_FALSE = "is_false", _("is no")
