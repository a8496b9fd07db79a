# SPDX-License-Identifier: Apache-2.0
"""Entry point for `python -m porting_advisor` and for the PyInstaller binary."""

import sys

# Absolute import: a frozen binary runs this file as a script with no parent package.
from porting_advisor.cli import main

if __name__ == "__main__":
    if getattr(sys, "frozen", False):  # a PyInstaller binary's workers start through here
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
