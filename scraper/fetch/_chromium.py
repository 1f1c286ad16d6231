"""One headless Chromium process: found, started and killed by us, never downloaded.

The browser is started directly (not through a driver) so that its whole life is ours:

- its own process group, so that one ``killpg`` ends it with every zygote, renderer and
  utility process it forked (they all stay in the group);
- ``PR_SET_PDEATHSIG`` = SIGKILL on its main process, so that when the daemon dies, even
  by SIGKILL, the kernel kills the browser; its children then lose their IPC channel to
  it and exit (``tests/fetch/test_browser_orphans.py`` proves no process is left);
- the DevTools protocol over a pipe pair (``--remote-debugging-pipe``, fds 3 and 4), so
  no port is opened that another local user could connect to, and the pipe closing (our
  end dies) is one more reason for Chromium to quit;
- a fresh ``--user-data-dir`` per process, removed when it ends;
- flags that keep it off the network on its own: no background networking, component
  updates, sync or QUIC, and a dead proxy for anything not fulfilled by the fetcher (see
  ``_render.py``: every request the page makes is served by the fetcher itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_LOG = "chromium-stderr.log"  # in the profile directory, removed with it
# Requests Chromium would make by itself (not for a page) go to this dead proxy, and the
# host resolver answers nothing: the fetcher serves every page request (``_render.py``).
_DEAD_PROXY = "http://127.0.0.1:9"


def chromium_args(executable: str, user_data_dir: str, *, js_heap_mb: int) -> list[str]:
    args = [
        executable,
        "--headless",
        "--remote-debugging-pipe",
        f"--user-data-dir={user_data_dir}",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-quic",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-breakpad",
        "--disable-dev-shm-usage",  # containers often have a 64 MB /dev/shm
        "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
        "--blink-settings=imagesEnabled=false",
        "--mute-audio",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        f"--proxy-server={_DEAD_PROXY}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        # A script that allocates without end crashes its renderer at this heap size
        # instead of growing until the memory cap kills the whole browser.
        f"--js-flags=--max-old-space-size={js_heap_mb}",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    args.append("about:blank")
    return args


def _death_signal() -> Callable[[], None]:
    """The pre-exec step of the browser's process: die with the thread that started it,
    and put the DevTools pipes on fds 3 (its input) and 4 (its output)."""
    libc = ctypes.CDLL(None, use_errno=True)  # looked up here: nothing is loaded in the child
    prctl = libc.prctl

    def step() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return step


class ChromiumProcess:
    """A started browser: ``reader``/``writer`` are our ends of the DevTools pipes."""

    def __init__(
        self, process: asyncio.subprocess.Process, profile: str, reader: int, writer: int
    ) -> None:
        self.process = process
        self.pid = process.pid
        self.profile = profile
        self.reader = reader
        self.writer = writer

    @classmethod
    async def start(cls, executable: str, *, js_heap_mb: int) -> ChromiumProcess:
        profile = tempfile.mkdtemp(prefix="nea-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # The child's ends go to fds 3 and 4 (where --remote-debugging-pipe wants them)
        # by dup2 in the pre-exec step; high copies first, so that neither dup2 closes
        # the other's source.
        high_r = os.dup(to_browser_r)
        high_w = os.dup(from_browser_w)
        die = _death_signal()

        def prepare() -> None:
            die()
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        log = os.open(os.path.join(profile, _LOG), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            process = await asyncio.create_subprocess_exec(
                *chromium_args(executable, profile, js_heap_mb=js_heap_mb),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                process_group=0,
                preexec_fn=prepare,
                pass_fds=(3, 4),
            )
        except OSError:
            shutil.rmtree(profile, ignore_errors=True)
            for fd in (to_browser_w, from_browser_r):
                os.close(fd)
            raise
        finally:
            for fd in (to_browser_r, from_browser_w, high_r, high_w, log):
                os.close(fd)
        return cls(process, profile, reader=from_browser_r, writer=to_browser_w)

    def last_words(self) -> str:
        """The last line the browser wrote to stderr (why it did not start), if any."""
        try:
            with open(os.path.join(self.profile, _LOG), "rb") as stream:
                stream.seek(0, os.SEEK_END)
                stream.seek(max(0, stream.tell() - 2048))
                lines = stream.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1].strip() if lines else ""

    def alive(self) -> bool:
        return self.process.returncode is None

    async def kill(self) -> None:
        """Kill the browser's whole process group, reap it and remove its profile."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            await self.process.wait()
        await asyncio.to_thread(shutil.rmtree, self.profile, True)

    def memory(self) -> int:
        """Bytes of memory the browser's processes hold (blocking: /proc reads)."""
        return group_memory(self.pid)


def group_memory(pgid: int) -> int:
    """Proportional set size (PSS, shared pages divided among their users; RSS when the
    kernel has no smaps_rollup) summed over the processes of group ``pgid``."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if _pgid(entry) != pgid:
                continue
            total += _pss(entry)
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return total


def _pgid(entry: Path) -> int:
    stat = (entry / "stat").read_text()
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[2])


def _pss(entry: Path) -> int:
    try:
        for line in (entry / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    pages = int((entry / "statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")
