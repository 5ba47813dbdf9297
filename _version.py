"""The one version shared by every wheel in this repository (see MONOREPO notes in docs/)."""

__version__ = "2.90.0"
