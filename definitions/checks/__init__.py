"""Rules a definition or organisation must keep beyond its shape, each reported with file,
line and field. They run when an administrator loads files, never on stored definitions."""

from lofte.definitions.checks.bundle_checks import check_bundle
from lofte.definitions.checks.cycle_checks import check_definition
from lofte.definitions.checks.organisation_checks import check_organisation

__all__ = ["check_bundle", "check_definition", "check_organisation"]
