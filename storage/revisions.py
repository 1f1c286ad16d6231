"""Where the migration scripts are, and which of them is the newest, found without
importing Alembic: the quick commands (``status``, ``articles``) compare the database's
revision with it before reading, in a fraction of what loading Alembic would cost."""

from __future__ import annotations

import re
from pathlib import Path

_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def find_alembic_dir() -> Path:
    """The migration scripts: inside the package when installed from a wheel (setup.py maps
    ``alembic/`` to ``storage/alembic/``), at the top of the checkout otherwise (a source
    tree, an editable install). Never relative to the working directory."""
    here = Path(__file__).resolve().parent
    candidates = (here / "alembic", here.parent / "alembic")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    return candidates[0]


def head_revision(alembic_dir: Path | None = None) -> str | None:
    """The revision no other script builds on, read from the scripts' ``revision`` and
    ``down_revision`` lines; None when that is not one revision (no scripts, a branch, a
    script this reading does not understand), and the caller then does without."""
    versions = (alembic_dir or find_alembic_dir()) / "versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        scripts = sorted(versions.glob("*.py"))
        for script in scripts:
            source = script.read_text(encoding="utf-8")
            revision = _REVISION.search(source)
            down = _DOWN_REVISION.search(source)
            if revision is None or down is None:
                return None
            revisions.add(revision[1])
            parents.update(_QUOTED.findall(down[1]))
    except OSError:
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
