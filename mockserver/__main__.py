"""Run the mock: ``python -m mockserver --help``."""

import sys

from .cli import main

sys.exit(main())
