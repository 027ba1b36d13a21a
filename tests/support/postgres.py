"""A real, throw-away PostgreSQL server for the tests.

`PostgresServer` runs `initdb` and `pg_ctl` from PATH or from /usr/lib/postgresql/*/bin,
with its data directory and unix socket in a fresh temporary directory, listening on a
free port of 127.0.0.1 with trust authentication, and creates the `happyfox` database.
When the tests run as root (initdb refuses root) the server runs as the `postgres`
system user through `runuser`, creating that user if it is missing.

The `postgres_dsn` fixture (session scope) starts one server for the test session and
returns `postgresql://postgres:postgres@127.0.0.1:<port>/happyfox` (trust auth: the
password, which dlt's credentials insist on, is ignored by the server). It never skips: without the
PostgreSQL binaries it fails and says how to install them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest

DATABASE = "happyfox"
SUPERUSER = "postgres"
PASSWORD = "postgres"
RUN_AS = "postgres"  # the system user the server runs as when the tests run as root


class PostgresUnavailable(RuntimeError):
    pass


def find_pg_bin() -> Path:
    """The directory holding initdb and pg_ctl."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
        reverse=True,
    )
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) are not on PATH nor under"
        " /usr/lib/postgresql/*/bin: install them, e.g. `apt-get install -y postgresql`."
        " The PostgreSQL tests never skip."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(name)


class PostgresServer:
    def __init__(self, bin_dir: Optional[Path] = None) -> None:
        self.bin_dir = bin_dir or find_pg_bin()
        self.port: Optional[int] = None
        self.tmp: Optional[Path] = None
        self._as_root = os.geteuid() == 0
        self._started = False

    @property
    def data_dir(self) -> Path:
        assert self.tmp
        return self.tmp / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.tmp
        return self.tmp / "socket"

    @property
    def log_file(self) -> Path:
        assert self.tmp
        return self.tmp / "server.log"

    def dsn(self, database: str = DATABASE) -> str:
        # trust auth ignores the password; it is there because dlt's postgres credentials
        # require one
        return f"postgresql://{SUPERUSER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", RUN_AS, "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            cmd, check=False, capture_output=True, text=True, timeout=timeout, env=env, cwd=self.tmp
        )

    def start(self) -> "PostgresServer":
        self.tmp = Path(tempfile.mkdtemp(prefix="hf-pg-"))
        self.socket_dir.mkdir()
        if self._as_root:
            user = _ensure_system_user(RUN_AS)
            for p in (self.tmp, self.socket_dir):
                os.chown(p, user.pw_uid, user.pw_gid)
            os.chmod(self.tmp, 0o700)
        res = self._run(
            [
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        if res.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{res.stdout}\n{res.stderr}")
        last_error = ""
        for _ in range(5):
            self.port = free_port()
            options = (
                f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=50"
            )
            res = self._run(
                ["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "-t", "60", "start"]
            )
            if res.returncode == 0:
                self._started = True
                break
            last_error = res.stdout + res.stderr + self._log_tail()
        else:
            raise PostgresUnavailable(f"pg_ctl start failed:\n{last_error}")
        self._create_database()
        return self

    def _log_tail(self) -> str:
        try:
            return self.log_file.read_text()[-2000:]
        except OSError:
            return ""

    def _create_database(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg2.connect(self.dsn("postgres"))
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            conn.close()

    def stop(self) -> None:
        if self._started:
            self._run(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
            self._started = False
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole test session."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as ex:
        pytest.fail(str(ex), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server: PostgresServer) -> str:
    """postgresql://postgres:postgres@127.0.0.1:<port>/happyfox of the session's server."""
    return postgres_server.dsn()
