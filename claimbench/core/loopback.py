"""Loopback only: every server the suite starts binds 127.0.0.1 on an ephemeral port.

Two checks, because neither alone sees everything:

- at run time, ``install()`` adds an audit hook (PEP 578, event ``socket.bind``) to
  the pytest process and so to every child it forks: an AF_INET/AF_INET6 bind to
  anything but a loopback address with port 0 raises ``NonLoopbackBind`` before the
  socket is bound, so such a server never listens, whoever wrote it. (Children
  started by spawn or forkserver are fresh interpreters without the hook; the
  source scan covers the code they run.)
- in the source, ``scan_source`` finds the calls that make servers (``.bind``,
  ``socket.create_server``, ``asyncio.start_server``, ``loop.create_server``,
  ``*HTTPServer``/``socketserver`` servers, ``multiprocessing`` ``Listener`` and
  managers) and checks every address it can resolve (literals, module constants,
  simple local assignments). tests/test_loopback.py runs it over the tree.

Unix-domain sockets (a path for an address) are not network servers and pass.
Stdlib only: this runs on every interpreter of the matrix.
"""
from __future__ import annotations

import ast
import ipaddress
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional

LOCALHOST_NAMES = ("localhost",)
RULE = "servers must bind 127.0.0.1 (loopback) on port 0 (an ephemeral port)"


class NonLoopbackBind(RuntimeError):
    """Raised by the audit hook instead of binding to a reachable address or a fixed port."""


def is_loopback_host(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host in LOCALHOST_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def address_problem(address, allow_none_port: bool = False) -> Optional[str]:
    """None when ``address`` (host, port, ...) is loopback with port 0, else what is wrong."""
    if isinstance(address, (str, bytes)):  # a Unix-domain socket path
        return None
    if not isinstance(address, tuple) or len(address) < 2:
        return f"{RULE}: cannot read {address!r} as (host, port)"
    host, port = address[0], address[1]
    problems = []
    if not is_loopback_host(host):
        problems.append(f"host {host!r} is not loopback")
    if not (port == 0 or (allow_none_port and port is None)):
        problems.append(f"port {port!r} is not 0")
    return f"{RULE}: {' and '.join(problems)}" if problems else None


# ---------------------------------------------------------------- at run time
_installed = False


def _audit(event: str, args) -> None:
    if event != "socket.bind":  # the hook sees every audited event: leave the rest at once
        return
    try:
        sock, address = args
        family = sock.family
    except Exception:
        return
    if family not in (socket.AF_INET, socket.AF_INET6):
        return
    problem = address_problem(address)
    if problem:
        raise NonLoopbackBind(f"refused bind to {address!r}: {problem}")


def install() -> bool:
    """Add the audit hook once per process (hooks cannot be removed). False where unsupported."""
    global _installed
    if _installed:
        return True
    if not hasattr(sys, "addaudithook"):
        return False
    sys.addaudithook(_audit)
    _installed = True
    return True


# ---------------------------------------------------------------- in the source
UNRESOLVED = object()
SOCKETSERVER_CLASSES = frozenset({
    "HTTPServer", "ThreadingHTTPServer", "TCPServer", "UDPServer", "ThreadingTCPServer",
    "ThreadingUDPServer", "ForkingTCPServer", "ForkingUDPServer", "SimpleXMLRPCServer",
    "DocXMLRPCServer", "WSGIServer"})
ADDRESS_KEYWORD_CLASSES = frozenset({"Listener", "BaseManager", "SyncManager"})


@dataclass(frozen=True)
class Finding:
    """One server-making call: where, what, the address as resolved, and what is wrong (or None)."""

    path: str
    line: int
    call: str
    address: str
    problem: Optional[str]
    verified: bool  # False when the address could not be resolved from the source

    def __str__(self) -> str:
        state = self.problem or ("ok" if self.verified else "address not resolvable from the source")
        return f"{self.path}:{self.line}: {self.call}({self.address}): {state}"


def _constants(body: Iterable[ast.stmt]) -> Dict[str, object]:
    out: Dict[str, object] = {}
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = node.value
    return out


def _resolve(node, scopes: List[Dict[str, object]], depth: int = 0):
    if node is None:
        return None
    if depth > 5:
        return UNRESOLVED
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        parts = tuple(_resolve(e, scopes, depth + 1) for e in node.elts)
        return UNRESOLVED if any(p is UNRESOLVED for p in parts) else parts
    if isinstance(node, ast.Name):
        for scope in scopes:
            if node.id in scope:
                return _resolve(scope[node.id], scopes, depth + 1)
    return UNRESOLVED


def _name(func) -> str:
    if isinstance(func, ast.Attribute):
        base = func.value.id if isinstance(func.value, ast.Name) else "…"
        return f"{base}.{func.attr}"
    if isinstance(func, ast.Name):
        return func.id
    return "?"


def _arg(call: ast.Call, index: int, keyword: str):
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value, True
    if len(call.args) > index:
        return call.args[index], True
    return None, False


def _server_address(call: ast.Call, scopes):
    """(call name, resolved address or UNRESOLVED, allow a None port) for a server-making call, else None."""
    func, name = call.func, _name(call.func)
    attr = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
    base = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
    if attr == "bind" and isinstance(func, ast.Attribute) and len(call.args) == 1:
        return name, _resolve(call.args[0], scopes), False
    if attr == "create_server" and (base == "socket" or isinstance(func, ast.Name)):
        node, _ = _arg(call, 0, "address")
        return name, _resolve(node, scopes), False
    if attr in ("create_server", "start_server"):  # asyncio: (factory or callback, host=None, port=None)
        if any(kw.arg == "sock" for kw in call.keywords):
            return None  # serves a socket bound elsewhere (and checked there)
        host, _ = _arg(call, 1, "host")
        port, _ = _arg(call, 2, "port")
        resolved = (_resolve(host, scopes), _resolve(port, scopes))
        return name, (UNRESOLVED if UNRESOLVED in resolved else resolved), True
    if attr in SOCKETSERVER_CLASSES:
        node, _ = _arg(call, 0, "server_address")
        return name, _resolve(node, scopes), False
    if attr in ADDRESS_KEYWORD_CLASSES:
        node, given = _arg(call, 0, "address")
        if not given:
            return None  # no address: a Unix-domain socket chosen by multiprocessing
        value = _resolve(node, scopes)
        return (None if value is None else (name, value, False))
    return None


def scan_source(text: str, path: str = "<source>") -> List[Finding]:
    """Every server-making call in one module, each with its address checked where it resolves."""
    tree = ast.parse(text, filename=path)
    module_scope = _constants(tree.body)
    findings: List[Finding] = []

    def visit(node, scopes):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # Simple assignments anywhere in the function count as its locals (last one wins).
                local = _constants(n for n in ast.walk(child) if isinstance(n, (ast.Assign, ast.AnnAssign)))
                visit(child, [local] + scopes)
                continue
            if isinstance(child, ast.Call):
                hit = _server_address(child, scopes)
                if hit is not None:
                    name, address, allow_none = hit
                    if address is UNRESOLVED:
                        findings.append(Finding(path, child.lineno, name, "?", None, False))
                    else:
                        findings.append(Finding(path, child.lineno, name, repr(address),
                                                address_problem(address, allow_none), True))
            visit(child, scopes)

    visit(tree, [module_scope])
    return findings


def scan_tree(roots: Iterable[Path], base: Optional[Path] = None) -> List[Finding]:
    findings: List[Finding] = []
    for root in roots:
        root = Path(root)
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for f in files:
            rel = str(f.relative_to(base)) if base else str(f)
            findings.extend(scan_source(f.read_text(encoding="utf-8"), rel))
    return findings
