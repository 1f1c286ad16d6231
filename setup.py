"""Package layout that pyproject.toml cannot express: the Alembic scripts are edited at the
top level (``alembic/``, where ``alembic upgrade`` from a checkout finds them) but ship
inside the wheel as ``storage/alembic/``, so an installed ``scraper db upgrade`` migrates
from any directory. Everything else is declared in pyproject.toml."""

from setuptools import find_namespace_packages, setup

MIGRATIONS = ["storage.alembic", "storage.alembic.versions"]

setup(
    # No __init__.py in alembic/: a top-level package of that name would shadow the Alembic
    # library whenever the checkout is on sys.path. Listed by hand, the two folders still
    # ship their .py files (setuptools only warns about the missing __init__).
    packages=[
        *find_namespace_packages(
            include=["scraper", "scraper.*", "storage", "storage.*"], exclude=["*.__pycache__"]
        ),
        *MIGRATIONS,
    ],
    package_dir={"storage.alembic": "alembic"},
    package_data={
        "storage.alembic": ["script.py.mako"],
        "scraper.web": ["templates/*.html", "templates/*.css"],  # the web view's pages
    },
)
