"""`python -m server …` is the `frontline` command (the launcher starts child processes this way)."""

from server.cli import main

main()
