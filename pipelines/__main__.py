"""`python -m happyfox_sync` is `happyfox-sync`."""

import sys

from .cli import main

sys.exit(main())
