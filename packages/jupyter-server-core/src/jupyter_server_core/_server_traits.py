"""The configurable traits of ServerApp, grouped apart from its lifecycle code.

Names, types and defaults follow jupyter_server 2.x so that existing
``jupyter_server_config.py`` files keep working.
"""

from __future__ import annotations

import os
import re
from typing import Any

from traitlets import (
    Any as AnyTrait,
)
from traitlets import (
    Bool,
    Bytes,
    DottedObjectName,
    Float,
    HasTraits,
    Integer,
    List,
    TraitError,
    Unicode,
    Union,
    default,
    validate,
)
from traitlets import Dict as DictTrait
from traitlets import Type as TypeTrait

from ._directories import existing_directory

__all__ = ["ServerTraits"]


class _OneOrMany(List):  # type: ignore[type-arg]
    """A List trait that also takes one string (as the list of that string)."""

    def validate(self, obj: Any, value: Any) -> Any:
        return super().validate(obj, [value] if isinstance(value, str) else value)


# HasTraits, not Configurable: the traits are ServerApp's, so --generate-config, --help-all
# and config sections name them ServerApp.* only (a Configurable base would be listed too).
class ServerTraits(HasTraits):
    """Traits only; ServerApp derives from this. Read by the app, never by handlers."""

    # -- network ---------------------------------------------------------------------
    ip = Unicode("localhost", help="Address to bind; '*' or '' means every interface.").tag(config=True)

    @validate("ip")
    def _validate_ip(self, proposal: Any) -> str:
        value = str(proposal["value"])
        return "" if value == "*" else value

    port = Integer(
        8888, help="The port the server will listen on (env: JUPYTER_PORT). 0 picks a free port."
    ).tag(config=True)

    @default("port")
    def _port_default(self) -> int:
        # traitlets does not validate a dynamic default: check the variable here.
        return _port_number(os.environ.get("JUPYTER_PORT", "8888"), "JUPYTER_PORT")

    @validate("port")
    def _validate_port(self, proposal: Any) -> int:
        return _port_number(proposal["value"], "ServerApp.port")

    port_retries = Integer(
        50,
        help="How many following ports to try when the chosen one is taken (env: JUPYTER_PORT_RETRIES).",
    ).tag(config=True)

    @default("port_retries")
    def _port_retries_default(self) -> int:
        return int(os.environ.get("JUPYTER_PORT_RETRIES", 50))

    sock = Unicode("", help="Listen on this UNIX socket path instead of ip:port.").tag(config=True)
    sock_mode = Unicode(
        "0600", help="Octal file mode given to the UNIX socket (default 0600)."
    ).tag(config=True)

    @validate("sock_mode")
    def _validate_sock_mode(self, proposal: Any) -> str:
        value = str(proposal["value"])
        try:
            mode = int(value, 8)
        except ValueError:
            raise ValueError(f"ServerApp.sock_mode must be an octal mode such as 0600, not {value!r}") from None
        if not mode & 0o600 == 0o600:
            raise ValueError("ServerApp.sock_mode must give the owner read and write access (0600 at least)")
        return value

    certfile = Unicode("", help="Path of the TLS certificate; setting it serves HTTPS.").tag(config=True)
    keyfile = Unicode("", help="Path of the private key matching certfile.").tag(config=True)
    client_ca = Unicode(
        "", help="CA certificate file; when set, clients must present a certificate it signed."
    ).tag(config=True)
    ssl_options = DictTrait(
        allow_none=True, help="Supply SSL options for the tornado HTTPServer (see tornado docs)."
    ).tag(config=True)
    trust_xheaders = Bool(
        False,
        help="Whether to trust X-Scheme/X-Forwarded-Proto and X-Real-Ip/X-Forwarded-For headers sent by an upstream reverse proxy.",
    ).tag(config=True)
    max_body_size = Integer(
        512 * 1024 * 1024, help="The maximum body size of a request, in bytes (default: 512 MiB)."
    ).tag(config=True)
    max_buffer_size = Integer(
        512 * 1024 * 1024, help="The maximum size of the HTTP read buffer, in bytes (default: 512 MiB)."
    ).tag(config=True)
    websocket_ping_interval = Integer(
        0, help="Seconds between WebSocket pings; 0 disables them."
    ).tag(config=True)
    websocket_ping_timeout = Integer(
        0, help="Seconds to wait for a WebSocket pong before closing; 0 means ping_interval."
    ).tag(config=True)
    websocket_compression_options = AnyTrait(
        None, allow_none=True, help="tornado's WebSocket compression options; None disables compression."
    ).tag(config=True)
    websocket_url = Unicode(
        "", help="The base URL for WebSockets, if it differs from the HTTP server (hint: it is rarely needed)."
    ).tag(config=True)

    # -- URLs and directories --------------------------------------------------------
    base_url = Unicode("/", help="The base URL for the Jupyter server. Leading and trailing slashes can be omitted.").tag(config=True)

    @validate("base_url")
    def _validate_base_url(self, proposal: Any) -> str:
        value = str(proposal["value"])
        if not value.startswith("/"):
            value = "/" + value
        if not value.endswith("/"):
            value = value + "/"
        return value

    default_url = Unicode("/", help="The default URL to redirect to from `/`.").tag(config=True)
    root_dir = Unicode(help="Top folder served: files, notebooks and kernels' working directories live below it.").tag(config=True)

    @default("root_dir")
    def _root_dir_default(self) -> str:
        return os.getcwd()

    @validate("root_dir")
    def _validate_root_dir(self, proposal: Any) -> str:
        return existing_directory(proposal["value"], "ServerApp.root_dir")

    notebook_dir = Unicode(
        "", help="DEPRECATED, use root_dir. Top folder served: files, notebooks and kernels' working directories live below it."
    ).tag(config=True)
    preferred_dir = Unicode(
        "",
        help="""The folder frontends open first, an OS path inside root_dir. Deprecated in
        jupyter_server 2.0 in favour of FileContentsManager.preferred_dir (an API path
        relative to root_dir), which it sets when that is unset.""",
    ).tag(config=True)

    @validate("preferred_dir")
    def _validate_preferred_dir(self, proposal: Any) -> str:
        value = str(proposal["value"])
        if not value:
            return ""
        path = os.path.abspath(os.path.expanduser(value))
        if not os.path.isdir(path):
            raise TraitError(f"No such preferred dir: {path!r} (ServerApp.preferred_dir must be an existing folder)")
        return path

    file_to_run = Unicode("", help="A file to open in the browser once the server is up.").tag(config=True)
    file_url_prefix = Unicode("notebooks", help="URL prefix under which file_to_run is opened.").tag(config=True)
    static_immutable_cache = _OneOrMany(
        Unicode(),
        help="""URL path prefixes whose static files never change once served (their names
        carry a content hash): they are sent with a one-year immutable Cache-Control. A
        single string is one prefix.""",
    ).tag(config=True)

    extra_static_paths = List(Unicode(), help="Extra paths to search for serving static files.").tag(config=True)
    extra_template_paths = List(Unicode(), help="Extra paths to search for serving jinja templates.").tag(config=True)
    extra_services = List(Unicode(), help="Handlers from these modules are added to the server (each module's `default_handlers`).").tag(config=True)
    jinja_environment_options = DictTrait(help="Supply extra arguments passed to the jinja environment.").tag(config=True)
    jinja_template_vars = DictTrait(help="Variables added to the context of every rendered template.").tag(config=True)

    # -- browser ---------------------------------------------------------------------
    open_browser = Bool(False, help="Whether to open in a browser after starting.").tag(config=True)
    browser = Unicode("", help="Command to invoke a web browser; default: the webbrowser module's choice (BROWSER env var).").tag(config=True)
    webbrowser_open_new = Integer(2, help="0: same window, 1: new window, 2: new tab (webbrowser.open's `new`).").tag(config=True)
    use_redirect_file = Bool(True, help="Open the browser through a local redirect file rather than a URL with the token.").tag(config=True)
    no_browser_open_file = Bool(
        False,
        help="""Do not write the local page (jpserver-<pid>-open.html in the runtime directory)
        that sends a browser to the server with its token.""",
    ).tag(config=True)
    custom_display_url = Unicode("", help="Override the URL shown in the startup banner.").tag(config=True)

    # -- security --------------------------------------------------------------------
    allow_root = Bool(False, help="Let the server start when run by root (refused otherwise).").tag(config=True)
    allow_origin = Unicode("", help="Set the Access-Control-Allow-Origin header; '*' allows any origin (use with care).").tag(config=True)
    allow_origin_pat = Unicode("", help="A regular expression for allowed origins; ignored when allow_origin is set.").tag(config=True)

    @validate("allow_origin_pat")
    def _validate_allow_origin_pat(self, proposal: Any) -> str:
        value = str(proposal["value"])
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"ServerApp.allow_origin_pat is not a valid regular expression: {exc}") from None
        return value
    allow_credentials = Bool(False, help="Set the Access-Control-Allow-Credentials: true header.").tag(config=True)
    allow_remote_access = Bool(
        help="Allow requests where the Host header doesn't point to a local server. Default: True when listening on a non-loopback address."
    ).tag(config=True)

    @default("allow_remote_access")
    def _allow_remote_default(self) -> bool:
        import ipaddress
        import socket

        if self.ip in ("", "0.0.0.0", "::"):
            return True
        try:
            return not ipaddress.ip_address(self.ip).is_loopback
        except ValueError:
            try:
                infos = socket.getaddrinfo(self.ip, self.port, 0, socket.SOCK_STREAM)
            except OSError:
                return False
            return any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)

    local_hostnames = List(
        Unicode(), ["localhost"],
        help="Hostnames to allow as local when allow_remote_access is False. Loopback IP addresses are always local.",
    ).tag(config=True)
    disable_check_xsrf = Bool(False, help="Disable cross-site-request-forgery protection (not recommended).").tag(config=True)
    allow_unauthenticated_access = Bool(
        True,
        help="""Accepted for compatibility with jupyter_server 2.x, where False makes handlers
        without an authentication rule require login. Here every handler requires login
        already unless it declares ``allow_unauthenticated = True`` (the login and logout
        pages, ``GET /api``), whatever this value. When False, an ``options`` method a
        handler writes itself needs a user too (CORS preflights stay open), and an extension
        route whose handler is not a JupyterHandler (so no check of ours covers it) is named
        in a JupyterServerAuthWarning (a RuntimeWarning). (env: JUPYTER_SERVER_ALLOW_UNAUTHENTICATED_ACCESS)""",
    ).tag(config=True)

    @default("allow_unauthenticated_access")
    def _allow_unauth_default(self) -> bool:
        value = os.environ.get("JUPYTER_SERVER_ALLOW_UNAUTHENTICATED_ACCESS")
        if value is None:
            return True
        # Only an explicit yes keeps it on once the variable is set: a typo errs on the safe side.
        return value.strip().lower() in ("1", "true", "yes", "on")

    cookie_secret = Bytes(b"", help="The random bytes used to secure cookies; by default generated and kept in cookie_secret_file.").tag(config=True)
    cookie_secret_file = Unicode(help="Where the generated cookie secret is kept between runs.").tag(config=True)
    cookie_options = DictTrait(help="DEPRECATED. Use IdentityProvider.cookie_options").tag(config=True)
    get_secure_cookie_kwargs = DictTrait(help="DEPRECATED. Use IdentityProvider.get_secure_cookie_kwargs").tag(config=True)
    token = Unicode("<DEPRECATED>", help="DEPRECATED. Use IdentityProvider.token").tag(config=True)
    password = Unicode("", help="DEPRECATED. Use PasswordIdentityProvider.hashed_password").tag(config=True)
    password_required = Bool(False, help="DEPRECATED. Use PasswordIdentityProvider.password_required").tag(config=True)
    allow_password_change = Bool(True, help="DEPRECATED. Use PasswordIdentityProvider.allow_password_change").tag(config=True)
    authenticate_prometheus = Bool(True, help="Require authentication to access prometheus metrics.").tag(config=True)
    extra_log_scrub_param_keys = List(Unicode(), help="Extra URL query parameter names whose values are scrubbed from logs.").tag(config=True)

    # -- classes ---------------------------------------------------------------------
    identity_provider_class = TypeTrait(
        default_value="jupyter_server_core.auth.PasswordIdentityProvider",
        klass="jupyter_server_core.auth.IdentityProvider",
        help="Who is making a request: the IdentityProvider subclass that authenticates users.",
    ).tag(config=True)
    authorizer_class = TypeTrait(
        default_value="jupyter_server_core.auth.AllowAllAuthorizer",
        klass="jupyter_server_core.auth.Authorizer",
        help="The authorizer class to use.",
    ).tag(config=True)
    login_handler_class = TypeTrait(
        default_value="jupyter_server_core.auth.LoginHandler",
        klass="tornado.web.RequestHandler",
        help="DEPRECATED. Use IdentityProvider.login_handler_class",
    ).tag(config=True)
    logout_handler_class = TypeTrait(
        default_value="jupyter_server_core.auth.LogoutHandler",
        klass="tornado.web.RequestHandler",
        help="DEPRECATED. Use IdentityProvider.logout_handler_class",
    ).tag(config=True)
    kernel_manager_class = TypeTrait(
        default_value="jupyter_server_core.kernels.MappingKernelManager",
        klass="traitlets.config.LoggingConfigurable",
        help="Starts and tracks kernels: a MappingKernelManager or a subclass.",
    ).tag(config=True)
    kernel_spec_manager_class = TypeTrait(
        default_value="jupyter_client.kernelspec.KernelSpecManager",
        klass="jupyter_client.kernelspec.KernelSpecManager",
        help="The kernel spec manager class to use.",
    ).tag(config=True)
    session_manager_class = TypeTrait(
        default_value="jupyter_server_core.sessions.SessionManager",
        klass="traitlets.config.LoggingConfigurable",
        help="Links notebooks to kernels: the SessionManager or a subclass.",
    ).tag(config=True)
    config_manager_class = TypeTrait(
        default_value="jupyter_server_core.config.ConfigManager",
        klass="traitlets.config.LoggingConfigurable",
        help="The config manager class to use (for /api/config).",
    ).tag(config=True)
    kernel_websocket_connection_class = TypeTrait(
        default_value="jupyter_server_core.kernels.ZMQChannelsWebsocketConnection",
        klass="traitlets.config.LoggingConfigurable",
        help="Bridges a kernel WebSocket to the kernel's ZMQ channels.",
    ).tag(config=True)
    kernel_ws_protocol = Unicode(
        "", help="DEPRECATED: ignored. Both kernel WebSocket protocols are always offered."
    ).tag(config=True)
    # Read by the contents extension; core never imports it.
    # A class or a dotted name: a Type trait would import its default at start.
    contents_manager_class = Union(
        [TypeTrait(klass="traitlets.config.LoggingConfigurable"), DottedObjectName()],
        default_value="jupyter_server_contents.AsyncLargeFileManager",
        help="The contents manager class to use, a class or its dotted name (read by the jupyter_server_contents extension).",
    ).tag(config=True)
    # Read by the terminals extension.
    terminals_enabled = Bool(True, help="Set to False to disable terminals (read by jupyter_server_terminals).").tag(config=True)
    terminado_settings = DictTrait(help='Supply overrides for terminado, e.g. {"shell_command": ["/bin/bash"]}.').tag(config=True)
    nbconvert_csp_sandbox = Bool(True, help="Sandbox nbconvert output with a CSP (read by jupyter_server_nbconvert).").tag(config=True)

    # -- kernels, limits, activity ---------------------------------------------------
    iopub_msg_rate_limit = Float(1000, help="IOPub messages per second allowed before the excess is dropped (with limit_rate).").tag(config=True)
    iopub_data_rate_limit = Float(1000000, help="Bytes per second of IOPub output allowed before the excess is dropped (with limit_rate).").tag(config=True)
    rate_limit_window = Float(3, help="Seconds over which the IOPub rates are averaged (with limit_rate).").tag(config=True)
    limit_rate = Bool(False, help="Whether to limit the rate of IOPub messages (default: False).").tag(config=True)
    allow_external_kernels = Bool(False, help="Whether kernels started outside this server may be connected to.").tag(config=True)
    external_connection_dir = Unicode(None, allow_none=True, help="The directory to look at for external kernel connection files.").tag(config=True)
    shutdown_no_activity_timeout = Integer(
        0, help="Shut down the server after N seconds with no kernels running and no activity; 0 disables it."
    ).tag(config=True)

    # -- extensions ------------------------------------------------------------------
    jpserver_extensions = DictTrait(
        {}, help="Dict of Python modules to load as Jupyter server extensions: {module: enabled}."
    ).tag(config=True)
    reraise_server_extension_failures = Bool(
        False, help="Stop the server when an extension fails to load, instead of logging the error."
    ).tag(config=True)

    # -- misc ------------------------------------------------------------------------
    tornado_settings = DictTrait(help="Supply overrides for the tornado.web.Application the server uses.").tag(config=True)
    compress_responses = Bool(
        True,
        help="""Send text-like answers (JSON, notebooks, text files, scripts, styles) gzip-compressed
        to clients whose Accept-Encoding allows it, as every browser's does. Images, archives and
        other already-compressed types, partial (Range) answers and tiny bodies always go as they
        are. Turn off when a proxy in front of the server compresses already.""",
    ).tag(config=True)
    compress_min_size = Integer(
        1400,
        help="""Bodies shorter than this many bytes are sent uncompressed: below about one network
        packet, gzip saves no round trip and only costs CPU.""",
    ).tag(config=True)

    @validate("compress_min_size")
    def _validate_compress_min_size(self, proposal: Any) -> int:
        if int(proposal["value"]) < 0:
            raise ValueError("ServerApp.compress_min_size must be 0 or more bytes")
        return int(proposal["value"])

    autoreload = Bool(False, help="Restart the web application whenever an imported Python file changes (development).").tag(config=True)
    quit_button = Bool(True, help="If True, display a button in the dashboard to quit (shutdown the server).").tag(config=True)
    min_open_files_limit = Integer(None, allow_none=True, help="Gets or sets a lower bound on the open file handles process resource limit.").tag(config=True)
    pylab = Unicode(
        "disabled",
        help="Removed: the server refuses to start with any value but 'disabled'. Run %matplotlib inside a notebook instead.",
    ).tag(config=True)


def _port_number(value: Any, source: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"{source} must be a port number, not {value!r}") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{source} must be 1-65535 (or 0 for any free port), not {port}")
    return port
