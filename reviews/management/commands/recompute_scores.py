from django.core.management.base import BaseCommand, CommandError

from cohorts.models import Cohort
from reviews import services


class Command(BaseCommand):
    help = "Recompute the raw and normalised review scores of every application of a cohort."

    def add_arguments(self, parser):
        parser.add_argument("cohort_id", type=int)

    def handle(self, *args, cohort_id: int, **options):
        cohort = Cohort.objects.filter(pk=cohort_id).first()
        if cohort is None:
            raise CommandError(f"No cohort with id {cohort_id}.")
        count = services.scores_recompute(cohort=cohort)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed the scores of {count} reviewed applications of {cohort}."
            )
        )
