"""The frozen bundle's entry point: the same ``main`` as the ``qrlogin-desktop`` console script."""

import sys

from qrlogin_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
