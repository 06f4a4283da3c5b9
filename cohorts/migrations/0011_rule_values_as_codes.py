"""Eligibility rules typed as the site shows the values ("Citizen") store the codes instead.

Rules used to take their values as free text, matched against the profile's codes; a rule typed
with the labels the site shows could never be met. Each value of a rule on a choice attribute of
the catalogue that matches one of its labels, ignoring case, becomes that label's code; every
other value (codes, and text that matches nothing) stays as it is, and no row is removed.

The labels are frozen here as they were when this migration was written, so that a later change
to the catalogue cannot change what this migration does.
"""

from django.db import migrations

LABELS = {
    "residency": {
        "citizen": "Citizen",
        "permanent_resident": "Permanent resident",
        "work_pass": "Work pass holder",
        "other": "Other",
    },
    "gender": {
        "woman": "Woman",
        "man": "Man",
        "non_binary": "Non-binary",
        "self_described": "Another gender",
        "prefer_not_to_say": "Prefer not to say",
    },
    "employer_size": {
        "sme": "Small or medium enterprise",
        "large": "Large enterprise",
        "public_sector": "Public sector",
        "self_employed": "Self-employed",
        "not_employed": "Not employed",
    },
    "sector": {
        "ict": "Information and communications technology",
        "data_centres": "Data centres and cloud",
        "manufacturing": "Manufacturing",
        "finance": "Finance and insurance",
        "healthcare": "Health and social care",
        "education": "Education",
        "public_administration": "Public administration",
        "retail": "Retail and hospitality",
        "logistics": "Transport and logistics",
        "construction": "Construction and real estate",
        "energy": "Energy and utilities",
        "other": "Other",
    },
    "job_level": {
        "frontline": "Frontline",
        "professional": "Professional",
        "manager": "Manager",
        "executive": "Executive",
    },
    "highest_education": {
        "secondary": "Secondary school",
        "vocational": "Vocational certificate",
        "diploma": "Diploma",
        "bachelor": "Bachelor's degree",
        "master": "Master's degree",
        "doctorate": "Doctorate",
        "other": "Other",
    },
}


def _code(attribute: str, value) -> object:
    labels = LABELS[attribute]
    if not isinstance(value, str) or value in labels:
        return value
    wanted = value.strip().casefold()
    # Curly and straight apostrophes are the same letter to whoever typed the rule.
    wanted = wanted.replace("\u2019", "'")
    return next(
        (code for code, label in labels.items() if label.casefold() == wanted),
        next((code for code in labels if code == wanted), value),
    )


def labels_to_codes(apps, schema_editor):
    EligibilityRule = apps.get_model("cohorts", "EligibilityRule")
    rules = EligibilityRule.objects.filter(attribute__in=LABELS, operator__in=["in", "not_in"])
    for rule in rules.iterator():
        values = [_code(rule.attribute, value) for value in rule.values or []]
        if values != rule.values:
            rule.values = values
            rule.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0010_cohort_commitment"),
    ]

    # Codes cannot be turned back into what was typed; going back leaves them (they still work).
    operations = [migrations.RunPython(labels_to_codes, migrations.RunPython.noop)]
