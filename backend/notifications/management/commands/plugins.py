"""`manage.py plugins`: which notification plugins loaded, from where, with which features and
environment variables, and which failed and why."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications import loader
from notifications.env_vars import public_env_vars


class Command(BaseCommand):
    help = "List loaded and failed notification plugins."

    def add_arguments(self, parser):
        parser.add_argument("--traceback-failed", action="store_true", help="Show the full error of failed plugins.")

    def handle(self, *args, traceback_failed: bool = False, **options):
        reg = loader.registry()
        self.stdout.write(f"Loaded plugins ({len(reg.loaded)}):")
        for plugin_id, p in sorted(reg.loaded.items()):
            self.stdout.write(f"  {plugin_id}  ({p.instance.get_display_name()})  from {p.source}")
            features = ", ".join(sorted(f.value for f in p.features)) or "none"
            self.stdout.write(f"      features: {features}")
            for name, spec in public_env_vars(p.instance).items():
                state = "set" if spec["is_set"] else ("MISSING" if spec["is_required"] else "not set")
                need = "required" if spec["is_required"] else "optional"
                self.stdout.write(f"      env {name}: {need}, {state}")
        self.stdout.write(f"Failed plugins ({len(reg.failed)}):")
        for f in reg.failed:
            self.stdout.write(f"  {f.id}  from {f.source}")
            self.stdout.write(f"      error: {f.error}")
            if traceback_failed and f.traceback:
                self.stdout.write("      " + f.traceback.replace("\n", "\n      "))
        if reg.failed:
            self.stderr.write(self.style.WARNING(f"{len(reg.failed)} plugin(s) failed to load."))
