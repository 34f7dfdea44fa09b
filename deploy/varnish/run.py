"""Start Varnish in front of the app with this folder's VCL, in the foreground.

    python deploy/varnish/run.py --listen 127.0.0.1:8080 --app 127.0.0.1:8000
    python deploy/varnish/run.py --listen 127.0.0.1:8080 --app 127.0.0.1:8000 --with-app

The first starts varnishd alone; EDGE_PURGE_TOKEN must be in the environment (the app sends
the same one). The second is `make serve-edge`: it also starts `make serve` on --app with
VARNISH_PURGE_URL and a token it generates (unless EDGE_PURGE_TOKEN is set), and Ctrl-C
stops both. The VCL is rendered from default.vcl with the app's address and the addresses
purges may come from (--purge-from, by default the app's host) into a fresh working
directory, which `varnishlog -n DIR` and `varnishstat -n DIR` read; it is removed at exit.
"""

import argparse
import ipaddress
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]")


def varnishd_path():
    # VARNISHD, else on PATH, else Debian's, which a non-root PATH leaves out.
    for found in (os.environ.get("VARNISHD"), shutil.which("varnishd"), "/usr/sbin/varnishd"):
        if found and os.access(found, os.X_OK):
            return found
    return None


def split_address(address):
    host, _, port = address.rpartition(":")
    if not HOST.fullmatch(host) or not port.isdigit():
        raise SystemExit(f"{address!r} is not HOST:PORT")
    return host.strip("[]"), port


def acl_entry(address):
    """One line of the purgers ACL: an address or network, or a host name resolved at start."""
    try:
        network = ipaddress.ip_network(address, strict=False)
    except ValueError:
        if not HOST.fullmatch(address):
            raise SystemExit(f"--purge-from {address!r} is not an address or host name") from None
        return f'    "{address}";'
    if network.num_addresses == 1:
        return f'    "{network.network_address}";'
    return f'    "{network.network_address}"/{network.prefixlen};'


def render(app_host, app_port, purgers):
    text = (HERE / "default.vcl").read_text()
    text = text.replace("@APP_HOST@", app_host).replace("@APP_PORT@", app_port)
    text = text.replace("@PURGERS@", "\n".join(acl_entry(p) for p in purgers))
    assert "@" not in re.sub(r"#.*", "", text), "a placeholder of default.vcl was not filled"
    return text


def prepare(args):
    """The rendered VCL in a new directory, and the varnishd command that uses it."""
    varnishd = varnishd_path()
    if not varnishd:
        raise SystemExit("varnishd is not installed: apt-get install varnish varnish-modules")
    app_host, app_port = split_address(args.app)
    directory = Path(tempfile.mkdtemp(prefix="newsroom-varnish-"))
    # Varnish's unprivileged child (user vcache when started as root) reads its files here.
    directory.chmod(0o755)
    vcl = directory / "default.vcl"
    vcl.write_text(render(app_host, app_port, args.purge_from or [app_host]))
    vcl.chmod(0o644)
    command = [
        varnishd,
        "-F",  # foreground: stopped with its parent, logs on stdout
        "-a",
        args.listen,
        "-f",
        str(vcl),
        "-n",
        str(directory / "varnishd"),
        "-s",
        f"malloc,{args.storage}",
        # Room for a long Surrogate-Key (a list page names every story it shows): 32 KB of
        # one header instead of 8, within the default 96 KB fetch workspace.
        "-p",
        "http_resp_hdr_len=32k",
        "-p",
        "http_resp_size=64k",
        # No management port: the VCL is fixed for the life of the process.
        "-T",
        "none",
    ]
    return directory, command


def wait_for(url, process, seconds, stopping):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping:
        if process.poll() is not None:
            return False
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:8080", help="where readers connect")
    parser.add_argument("--app", default="127.0.0.1:8000", help="the app's HOST:PORT")
    parser.add_argument(
        "--purge-from",
        action="append",
        help="an address or network purges may come from (repeat; default: the app's host)",
    )
    parser.add_argument("--storage", default="256m", help="memory for cached pages")
    parser.add_argument("--with-app", action="store_true", help="also run `make serve`")
    args = parser.parse_args()

    environment = dict(os.environ)
    if args.with_app and not environment.get("EDGE_PURGE_TOKEN"):
        environment["EDGE_PURGE_TOKEN"] = secrets.token_urlsafe(32)
    if len(environment.get("EDGE_PURGE_TOKEN", "")) < 32:
        raise SystemExit("Set EDGE_PURGE_TOKEN (32+ random characters), as the app has it.")
    directory, command = prepare(args)
    processes = []
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        if args.with_app:
            app_environment = {
                **environment,
                "VARNISH_PURGE_URL": f"http://{args.listen}",
                # Readers reach the app through Varnish, which adds X-Forwarded-For: the
                # login lockout must count the reader's address, not Varnish's.
                "TRUSTED_PROXY_COUNT": environment.get("TRUSTED_PROXY_COUNT", "1"),
            }
            app = subprocess.Popen(
                ["make", "serve", f"BIND={args.app}"],
                cwd=ROOT,
                env=app_environment,
                start_new_session=True,
            )
            processes.append(app)
            if not wait_for(f"http://{args.app}/healthz", app, 300, stopping) and not stopping:
                raise SystemExit("`make serve` did not start")
        if not stopping:
            print(" ".join(command), flush=True)
            print(f"varnishlog -n {directory / 'varnishd'}", flush=True)
            processes.append(subprocess.Popen(command, env=environment, start_new_session=True))
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.2)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(directory, ignore_errors=True)
    # Ctrl-C is the way to stop; anything else stopping it is a failure.
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
