"""A throwaway PostgreSQL cluster of the test's own (``scripts/pg-test-cluster.sh``), so a
test may stop and start the server under a running daemon without disturbing the server
other tests share."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.scale.support import ROOT

SCRIPT = ROOT / "scripts" / "pg-test-cluster.sh"


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return found[-1].parent


def _as_postgres(command: list[str]) -> list[str]:
    import os

    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


@dataclass
class Cluster:
    url: str
    datadir: Path

    @classmethod
    def start(cls) -> Cluster:
        out = subprocess.run(
            ["bash", str(SCRIPT), "start"], check=True, capture_output=True, text=True, timeout=120
        ).stdout
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in out.splitlines()
            if line.startswith("export ")
        )
        return cls(exports["NEA_TEST_POSTGRES_URL"], Path(exports["NEA_TEST_POSTGRES_DATADIR"]))

    def _pg_ctl(self, *args: str) -> None:
        command = [str(_pg_bin() / "pg_ctl"), "-D", str(self.datadir / "data"), *args]
        subprocess.run(_as_postgres(command), check=True, capture_output=True, timeout=120)

    def stop_server(self) -> None:
        """Stop now (fast shutdown: sessions are disconnected, as in a restart)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start_server(self) -> None:
        """Start again with the options of the first start (same port and socket)."""
        # postmaster.opts: "<postgres>" "-D" "<data>" "-p" "<port>" ...
        opts = shlex.split((self.datadir / "data" / "postmaster.opts").read_text())
        self._pg_ctl(
            "-l", str(self.datadir / "server.log"), "-w", "-o", shlex.join(opts[3:]), "start"
        )

    def destroy(self) -> None:
        subprocess.run(
            ["bash", str(SCRIPT), "stop", str(self.datadir)], capture_output=True, timeout=120
        )
