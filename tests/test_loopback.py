"""Loopback only (claimbench/core/loopback.py): every server binds 127.0.0.1 on an ephemeral port."""
from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest

from claimbench.core import loopback

ROOT = Path(__file__).resolve().parent.parent
# Everything the suite runs: the experiments, the package (workloads, probes, ways), the pytest wiring.
SOURCES = [ROOT / "experiments", ROOT / "claimbench", ROOT / "conftest.py"]


def scan(code: str):
    return loopback.scan_source(textwrap.dedent(code), "m.py")


def test_the_suite_binds_only_loopback_ephemeral_ports():
    findings = loopback.scan_tree([p for p in SOURCES if p.exists()], ROOT)
    bad = [str(f) for f in findings if f.problem]
    assert bad == [], "\n".join(bad)
    # What the scan could not resolve is left to the audit hook at run time; say what it was.
    print("\n".join(str(f) for f in findings))


@pytest.mark.parametrize("code", [
    'import socket\ns = socket.socket()\ns.bind(("127.0.0.1", 0))',
    's.bind(("localhost", 0))',
    's.bind(("::1", 0, 0, 0))',
    'HOST = "127.0.0.1"\nPORT = 0\ndef f(s):\n    s.bind((HOST, PORT))',
    'def f(s):\n    addr = ("127.0.0.1", 0)\n    s.bind(addr)',
    's.bind("/tmp/claimbench.sock")',
    'import socket\nsocket.create_server(("127.0.0.1", 0))',
    'from http.server import HTTPServer\nHTTPServer(("127.0.0.1", 0), Handler)',
    'import http.server\nhttp.server.ThreadingHTTPServer(server_address=("127.0.0.1", 0), RequestHandlerClass=H)',
    'import asyncio\nasync def main():\n    await asyncio.start_server(cb, "127.0.0.1", 0)',
    'async def main(loop):\n    await loop.create_server(factory, host="127.0.0.1", port=0)',
    'from multiprocessing.connection import Listener\nListener(("127.0.0.1", 0))',
])
def test_loopback_ephemeral_servers_pass(code):
    (finding,) = scan(code)
    assert finding.problem is None, finding


@pytest.mark.parametrize("code, words", [
    ('s.bind(("0.0.0.0", 0))', ["'0.0.0.0' is not loopback"]),
    ('s.bind(("", 0))', ["'' is not loopback"]),
    ('s.bind(("127.0.0.1", 8080))', ["port 8080 is not 0"]),
    ('HOST = ""\nPORT = 8000\ndef f(s):\n    s.bind((HOST, PORT))', ["'' is not loopback", "port 8000 is not 0"]),
    ('import socket\nsocket.create_server(("", 0))', ["is not loopback"]),
    ('HTTPServer(("0.0.0.0", 8000), Handler)', ["is not loopback", "port 8000"]),
    ('async def main():\n    await asyncio.start_server(cb)', ["None is not loopback"]),
    ('async def main(loop):\n    await loop.create_server(factory, "0.0.0.0", 0)', ["is not loopback"]),
    ('Listener(("", 6000))', ["is not loopback", "port 6000"]),
])
def test_reachable_or_fixed_servers_are_found(code, words):
    (finding,) = scan(code)
    assert finding.problem and finding.verified, finding
    for w in words:
        assert w in finding.problem
    assert str(finding).startswith("m.py:")


def test_an_address_the_source_does_not_show_is_left_to_run_time():
    (finding,) = scan("def f(s, address):\n    s.bind(address)")
    assert finding.problem is None and not finding.verified


@pytest.mark.parametrize("code", [
    "sock.connect(('10.0.0.1', 80))\nsocket.create_connection(('example.org', 80))\nprint(1)",
    "async def main(loop, sock):\n    await loop.create_server(factory, sock=sock)",  # bound elsewhere
    "from multiprocessing.connection import Listener\nListener()",  # a Unix-domain socket
])
def test_other_calls_are_not_checked(code):
    assert scan(code) == []


# ---------------------------------------------------------------- at run time
def test_the_audit_hook_is_installed_in_pytest_sessions():
    assert loopback.install()  # conftest did it already: this is a no-op that says so
    assert loopback._installed


@pytest.mark.parametrize("address", [("0.0.0.0", 0), ("", 0), ("127.0.0.1", 1)])
def test_a_bind_to_a_reachable_address_or_a_fixed_port_is_refused(address):
    loopback.install()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(loopback.NonLoopbackBind) as err:
            s.bind(address)
        assert repr(address) in str(err.value)


def test_loopback_ephemeral_and_unix_binds_go_through(tmp_path):
    loopback.install()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        assert s.getsockname()[0] == "127.0.0.1" and s.getsockname()[1] > 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as u:
        u.bind(str(tmp_path / "s.sock"))


@pytest.mark.parametrize("address, ok", [
    (("127.0.0.1", 0), True), (("127.1.2.3", 0), True), (("localhost", 0), True), (("::1", 0, 0, 0), True),
    (("0.0.0.0", 0), False), (("::", 0), False), (("192.168.1.2", 0), False), (("127.0.0.1", 80), False),
    ((b"127.0.0.1", 0), True), ("/path/of/a/unix/socket", True), ((None, 0), False),
])
def test_address_problem(address, ok):
    assert (loopback.address_problem(address) is None) is ok
