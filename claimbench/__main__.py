"""``python -m claimbench``: the command line (commands/cli.py)."""
import sys

from .commands.cli import main

sys.exit(main())
