"""What each ``scraper`` subcommand does, one module per family, so a command imports only
what it uses (``check`` never loads the database layer, ``status`` never the fetcher).
Parsing lives in ``scraper.cli``, which imports the module of the command it runs.

Exit codes: 0 success, 1 the work failed (or ``check`` found problems), 2 bad input an
operator can fix (a path, date, name or database that does not exist or cannot be opened).
"""

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
