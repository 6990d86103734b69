import sys

from qrlogin_desktop.cli import main

sys.exit(main())
