"""``python -m econsec`` runs the command line."""

from econsec.cli import main

main()
