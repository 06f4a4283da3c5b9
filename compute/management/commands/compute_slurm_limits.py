"""Print the `sacctmgr` commands that give each participant of a cohort their GPU-hour limit
in Slurm. It changes nothing itself: read the output, then run it on the Slurm controller
(`python manage.py compute_slurm_limits ai-forward-2026/main-intake | sh`)."""

import re
import string

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from compute import selectors
from compute.enums import Unit

# Every name printed matches this, so the output is safe to pipe into a shell and is a name
# Slurm accepts; anything else (an email's local part may hold quotes, `$` or `;`) is skipped.
SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
FIELDS = ("programme", "cohort", "local", "email", "user_id")


def _check_template(template: str, what: str) -> None:
    """Refuse a template that is empty, malformed or names a field we do not fill."""
    if not template.strip():
        raise CommandError(f"The {what} template is empty.")
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(template)}
    except ValueError as exc:
        raise CommandError(f"The {what} template {template!r} is malformed: {exc}.") from exc
    unknown = sorted(names - {None, *FIELDS})
    if unknown:
        raise CommandError(
            f"The {what} template {template!r} uses "
            + ", ".join(f"{{{name}}}" for name in unknown)
            + "; it may use "
            + ", ".join(f"{{{name}}}" for name in FIELDS)
            + "."
        )


class Command(BaseCommand):
    help = (
        "Print the sacctmgr commands that set each participant's GPU-hour limit "
        "(GrpTRESMins=gres/gpu=<minutes>) from their allocations of the cohort's GPU-hour pools."
    )

    def add_arguments(self, parser):
        parser.add_argument("cohort", help='The cohort, as "<programme-slug>/<cohort-slug>".')
        parser.add_argument(
            "--account-template",
            default=None,
            help=(
                "The Slurm account of each participant (default: the "
                "COMPUTE_SLURM_ACCOUNT_TEMPLATE setting, "
                f"{settings.COMPUTE_SLURM_ACCOUNT_TEMPLATE!r}). "
                f"Fields: {', '.join('{' + f + '}' for f in FIELDS)}."
            ),
        )
        parser.add_argument(
            "--user-template",
            default="{local}",
            help="The Slurm user name (default '{local}': the local part of their email).",
        )

    def handle(
        self, *args, cohort: str, account_template: str | None, user_template: str, **options
    ):
        account_template = account_template or settings.COMPUTE_SLURM_ACCOUNT_TEMPLATE
        _check_template(account_template, "account")
        _check_template(user_template, "user")
        programme_slug, _, cohort_slug = cohort.strip().partition("/")
        if not programme_slug or not cohort_slug:
            raise CommandError(
                f'Give the cohort as "<programme-slug>/<cohort-slug>", not {cohort!r}.'
            )
        target = selectors.cohort_by_slugs(programme_slug=programme_slug, cohort_slug=cohort_slug)
        if target is None:
            raise CommandError(
                f"No cohort {cohort_slug!r} in a programme {programme_slug!r}. "
                'Give it as "<programme-slug>/<cohort-slug>", as in its address.'
            )
        pools = [
            pool
            for pool in selectors.pool_list_for_cohort(cohort=target)
            if pool.resource.unit == Unit.GPU_HOURS
        ]
        if not pools:
            raise CommandError(f"{cohort} has no pool of GPU hours.")

        self.stdout.write(
            f"# GPU-hour limits of {target.programme.slug}/{target.slug} "
            f"from {', '.join(pool.resource.slug for pool in pools)}: "
            "GrpTRESMins=gres/gpu=<limit in hours x 60>"
        )
        skipped = 0
        for user, hours in selectors.gpu_hour_limits(cohort=target):
            local = user.email.rsplit("@", 1)[0]
            fields = {
                "programme": target.programme.slug,
                "cohort": target.slug,
                "local": local,
                "email": user.email,
                "user_id": user.pk,
            }
            account = account_template.format(**fields).lower()
            name = user_template.format(**fields).lower()
            if not SAFE_NAME.fullmatch(account) or not SAFE_NAME.fullmatch(name):
                skipped += 1
                self.stderr.write(
                    f"Skipped {user.email}: {name!r} in account {account!r} is not a name "
                    "Slurm accepts (letters, digits, '.', '_' and '-'); set --user-template."
                )
                continue
            minutes = int(hours * 60)  # whole minutes, rounded down
            self.stdout.write(
                f"sacctmgr -i modify user where name={name} account={account} "
                f"set GrpTRESMins=gres/gpu={minutes}"
            )
        if skipped:
            self.stderr.write(f"{skipped} participant(s) skipped.")
