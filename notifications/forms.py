from django import forms

from .selectors import PreferenceRow


class PreferencesForm(forms.Form):
    """Two checkboxes per kind; mandatory kinds are shown but cannot be switched off."""

    def __init__(self, *args, rows: list[PreferenceRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel, initial in (
                ("email", row.is_email_enabled),
                ("inapp", row.is_in_app_enabled),
            ):
                self.fields[f"{channel}:{row.kind.name}"] = forms.BooleanField(
                    required=False,
                    initial=initial,
                    disabled=row.kind.is_mandatory,
                )

    def choices(self) -> list[tuple[str, bool, bool]]:
        """(kind, email on, in-app on) for each optional kind, from cleaned data."""
        return [
            (
                row.kind.name,
                self.cleaned_data[f"email:{row.kind.name}"],
                self.cleaned_data[f"inapp:{row.kind.name}"],
            )
            for row in self.rows
            if not row.kind.is_mandatory
        ]

    def table(self):
        """Rows for the template: (row, email field, in-app field)."""
        return [
            (row, self[f"email:{row.kind.name}"], self[f"inapp:{row.kind.name}"])
            for row in self.rows
        ]
