"""``GET /api/kernelspecs``, ``GET /api/kernelspecs/<name>``, ``GET /kernelspecs/<name>/<file>``."""

from __future__ import annotations

import inspect
import os
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from tornado import web

from .._base_handlers import APIHandler, JupyterHandler
from .._urls import url_escape, url_path_join, url_unescape

__all__ = ["kernelspec_model", "kernelspec_routes"]

_RESOURCE_FILES = ("kernel.js", "kernel.css")


async def _get_spec(ksm: KernelSpecManager, name: str) -> Any:
    spec = ksm.get_kernel_spec(name)
    return await spec if inspect.isawaitable(spec) else spec


def kernelspec_model(base_url: str, name: str, spec: Any) -> dict[str, Any]:
    """``{"name", "spec", "resources"}``: the spec as kernel.json has it, resource URLs.

    Resources are the ``logo-*`` images (keyed by file name without extension) and
    ``kernel.js``/``kernel.css`` when the spec's resource directory holds them.
    """
    resources: dict[str, str] = {}
    resource_dir = getattr(spec, "resource_dir", "")
    try:
        files = sorted(os.listdir(resource_dir)) if resource_dir else []
    except OSError:
        files = []
    for filename in files:
        if filename.startswith("logo-"):
            key = os.path.splitext(filename)[0]
        elif filename in _RESOURCE_FILES:
            key = filename
        else:
            continue
        resources[key] = url_path_join(base_url, "kernelspecs", url_escape(name), filename)
    return {"name": name, "spec": spec.to_dict(), "resources": resources}


class KernelSpecAPIHandler(APIHandler):
    auth_resource = "kernelspecs"

    def initialize(self, kernel_spec_manager: KernelSpecManager, kernel_manager: Any) -> None:
        self.kernel_spec_manager = kernel_spec_manager
        self.kernel_manager = kernel_manager


class MainKernelSpecHandler(KernelSpecAPIHandler):
    """``GET /api/kernelspecs``: the default kernel name and every installed spec."""

    async def get(self) -> None:
        ksm = self.kernel_spec_manager
        specs: dict[str, Any] = {}
        for name in sorted(ksm.find_kernel_specs()):
            try:
                spec = await _get_spec(ksm, name)
            except Exception as exc:  # one broken kernel.json must not hide the others
                self.log.warning("Skipping the kernel spec %r: %s", name, exc)
                continue
            specs[name] = kernelspec_model(self.base_url, name, spec)
        self.write_json({"default": self.kernel_manager.default_kernel_name, "kernelspecs": specs})


class KernelSpecHandler(KernelSpecAPIHandler):
    """``GET /api/kernelspecs/<name>``: one spec; 404 if it is not installed."""

    async def get(self, kernel_name: str) -> None:
        name = url_unescape(kernel_name)
        try:
            spec = await _get_spec(self.kernel_spec_manager, name)
        except NoSuchKernel:
            raise web.HTTPError(404, "No such kernel spec: %s", name) from None
        except Exception as exc:
            raise web.HTTPError(404, "The kernel spec %s could not be read: %s", name, exc) from None
        self.write_json(kernelspec_model(self.base_url, name, spec))


_LOGO_MAX_AGE = 30 * 24 * 60 * 60


class KernelSpecResourceHandler(JupyterHandler, web.StaticFileHandler):
    """``GET /kernelspecs/<name>/<file>``: a file from the spec's resource directory.

    tornado's static file serving (ETag, ranges, caching headers); requests are confined
    to the spec's directory by ``validate_absolute_path``.
    """

    auth_resource = "kernelspecs"

    def initialize(self, kernel_spec_manager: KernelSpecManager) -> None:  # type: ignore[override]
        self.kernel_spec_manager = kernel_spec_manager
        super().initialize(path="")

    async def get(self, kernel_name: str, path: str, include_body: bool = True) -> None:  # type: ignore[override]
        name = url_unescape(kernel_name)
        try:
            spec = await _get_spec(self.kernel_spec_manager, name)
        except Exception:
            raise web.HTTPError(404, "No such kernel spec: %s", name) from None
        self.root = spec.resource_dir
        if path.lower().endswith(".png"):
            # Logos change rarely: browsers may keep them a month, as jupyter_server lets
            # them (a versioned ``?v=`` URL still gets tornado's longer lifetime).
            self.set_header("Cache-Control", f"max-age={_LOGO_MAX_AGE}")
        await super().get(path, include_body=include_body)

    async def head(self, kernel_name: str, path: str) -> None:  # type: ignore[override]
        await self.get(kernel_name, path, include_body=False)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        # Symlinks included: nothing outside the spec's own directory is served.
        real_root = os.path.realpath(root)
        real = os.path.realpath(absolute_path)
        if not real.startswith(real_root + os.sep):
            raise web.HTTPError(403, "%s is outside the kernel spec's directory", self.path)
        return super().validate_absolute_path(root, absolute_path)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        JupyterHandler.write_error(self, status_code, **kwargs)


def kernelspec_routes(base_url: str, kernel_spec_manager: KernelSpecManager, kernel_manager: Any) -> list[Any]:
    api_kwargs = {"kernel_spec_manager": kernel_spec_manager, "kernel_manager": kernel_manager}
    return [
        (url_path_join(base_url, r"/api/kernelspecs"), MainKernelSpecHandler, api_kwargs),
        (url_path_join(base_url, r"/api/kernelspecs/(?P<kernel_name>[^/]+)"), KernelSpecHandler, api_kwargs),
        (url_path_join(base_url, r"/kernelspecs/(?P<kernel_name>[^/]+)/(?P<path>.*)"),
         KernelSpecResourceHandler, {"kernel_spec_manager": kernel_spec_manager}),
    ]
