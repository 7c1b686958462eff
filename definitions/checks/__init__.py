"""Rules a definition or organisation must keep beyond its shape, each reported with file,
line and field. They run when an administrator loads files, never on stored definitions."""

from definitions.checks.bundle_checks import check_bundle
from definitions.checks.cycle_checks import check_definition
from definitions.checks.organisation_checks import check_organisation

__all__ = ["check_bundle", "check_definition", "check_organisation"]
