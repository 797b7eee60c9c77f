"""Entry script for the PyInstaller build: the same main() as ``python -m chatapp``."""
import sys

from chatapp.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
