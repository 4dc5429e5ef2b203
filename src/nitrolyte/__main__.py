"""``python -m nitrolyte`` runs the command line."""

from nitrolyte.cli import main

main()
