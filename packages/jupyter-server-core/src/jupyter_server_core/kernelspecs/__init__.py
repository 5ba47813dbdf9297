"""Kernelspecs: ``/api/kernelspecs`` and the ``/kernelspecs/<name>/<file>`` resources."""

from ._handlers import kernelspec_model, kernelspec_routes

__all__ = ["kernelspec_model", "kernelspec_routes"]
