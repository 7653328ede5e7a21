"""A process-wide guard that keeps tests on loopback.

``install()`` patches the Python socket layer so that any attempt to reach a non-loopback address raises
``RuntimeError("test tried to reach <addr>: tests must stay on loopback")`` before a packet leaves:

- ``socket.socket.connect`` / ``connect_ex`` (which also covers ``socket.create_connection``, ssl,
  urllib3, botocore, http.client and asyncio) and ``sendto`` (UDP);
- ``socket.getaddrinfo`` / ``gethostbyname`` / ``gethostbyname_ex`` for host names other than
  ``localhost``, so not even a DNS query goes out.

Allowed: 127.0.0.0/8, ::1 (and IPv4-mapped loopback), the unspecified address (which Linux routes to the
local host), ``localhost`` names, AF_UNIX and every non-IP socket family.

The guard covers Python sockets only. Native clients (pyarrow's AWS SDK / libcurl) are kept on loopback
by the environment the tests set (``AWS_ENDPOINT_URL`` on 127.0.0.1, ``AWS_EC2_METADATA_DISABLED``).

This module is the single implementation: ``tests/conftest.py`` imports it, and the ``sitecustomize.py``
that conftest generates for subprocesses loads this very file by path (see ``sitecustomize_source``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

MESSAGE = "test tried to reach {addr}: tests must stay on loopback"
_MARK = "_mlgate_netguard"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_originals: dict[str, Any] = {}


def _host_text(host: Any) -> str:
    if isinstance(host, (bytes, bytearray)):
        return bytes(host).decode("ascii", "replace")
    return "" if host is None else str(host)


def is_loopback_host(host: Any) -> bool:
    """True for loopback/unspecified IP literals and ``localhost`` names (no resolution happens)."""
    text = _host_text(host).strip().strip("[]")
    if text == "":
        return True  # "" means INADDR_ANY: the local host
    name = text.lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False  # a host name that would need DNS
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _is_ip_literal(host: Any) -> bool:
    try:
        ipaddress.ip_address(_host_text(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _describe(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = _host_text(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    return repr(address)


def check_address(family: int, address: Any) -> None:
    """Raise RuntimeError if a socket of ``family`` connecting to ``address`` would leave the host."""
    if family not in (socket.AF_INET, socket.AF_INET6):
        return  # AF_UNIX, AF_NETLINK, ...: local by construction
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_loopback_host(host):
        raise RuntimeError(MESSAGE.format(addr=_describe(address)))


def _check_lookup(host: Any, port: Any = None) -> None:
    if host is None or _is_ip_literal(host) or is_loopback_host(host):
        return  # literals resolve locally; connect() checks them
    where = _host_text(host) if port in (None, 0, "") else f"{_host_text(host)}:{port}"
    raise RuntimeError(MESSAGE.format(addr=f"{where} (DNS lookup)"))


def _guarded_connect(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any) -> Any:
        try:
            check_address(self.family, address)
        except RuntimeError:
            self.close()  # useless now; callers that only expect OSError would leak it
            raise
        return original(self, address)

    connect.__name__ = original.__name__
    setattr(connect, _MARK, True)
    return connect


def _guarded_sendto(original: Callable[..., Any]) -> Callable[..., Any]:
    def sendto(self: socket.socket, data: Any, *args: Any) -> Any:
        if args:
            check_address(self.family, args[-1])
        return original(self, data, *args)

    setattr(sendto, _MARK, True)
    return sendto


def _guarded_lookup(original: Callable[..., Any]) -> Callable[..., Any]:
    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        _check_lookup(host, args[0] if args else kwargs.get("port"))
        return original(host, *args, **kwargs)

    lookup.__name__ = original.__name__
    setattr(lookup, _MARK, True)
    return lookup


def installed() -> bool:
    """Whether the guard is active in this process (installed by any copy of this module)."""
    return bool(getattr(socket.socket.connect, _MARK, False))


def install() -> None:
    """Install the guard; idempotent, also across copies of this module loaded under other names."""
    if installed():
        return
    for name in ("connect", "connect_ex"):
        _originals[name] = getattr(socket.socket, name)
        setattr(socket.socket, name, _guarded_connect(_originals[name]))
    _originals["sendto"] = socket.socket.sendto
    socket.socket.sendto = _guarded_sendto(_originals["sendto"])  # type: ignore[method-assign]
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        _originals[name] = getattr(socket, name)
        setattr(socket, name, _guarded_lookup(_originals[name]))


def sitecustomize_source() -> str:
    """The text of a ``sitecustomize.py`` that installs this guard (loaded from this file) at startup.

    It then runs the ``sitecustomize`` it shadows, if any (a distribution's, or coverage's), so putting
    its folder first on ``PYTHONPATH`` changes nothing else about the child.
    """
    return (
        "# Generated by tests/conftest.py: keeps every Python subprocess of the test run on loopback.\n"
        "import importlib.machinery as _machinery\n"
        "import importlib.util as _util\n"
        "import os as _os\n"
        "import sys as _sys\n"
        f"_spec = _util.spec_from_file_location('netguard', {str(Path(__file__).resolve())!r})\n"
        "_guard = _util.module_from_spec(_spec)\n"
        "_spec.loader.exec_module(_guard)\n"
        "_sys.modules.setdefault('netguard', _guard)\n"
        "_guard.install()\n"
        "_here = _os.path.dirname(_os.path.abspath(__file__))\n"
        "_rest = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != _here]\n"
        "_next = _machinery.PathFinder.find_spec('sitecustomize', _rest)\n"
        "if _next is not None and _next.loader is not None:\n"
        "    _next.loader.exec_module(_util.module_from_spec(_next))\n"
        "del _machinery, _util, _os, _sys, _spec, _guard, _here, _rest, _next\n"
    )
