from django.core.management.base import BaseCommand

from notifications.registry import all_kinds


class Command(BaseCommand):
    help = "List every kind of notification, whether it is mandatory, and its templates."

    def handle(self, *args, **options):
        for kind in all_kinds():
            flag = "mandatory" if kind.is_mandatory else "optional "
            self.stdout.write(f"{kind.name:<28} {flag}  {kind.label}")
            self.stdout.write(f"{'':<28}            {kind.description}")
            self.stdout.write(
                f"{'':<28}            templates: {kind.template_dir}/{{subject,body,inapp}}.txt, body.html"
            )
