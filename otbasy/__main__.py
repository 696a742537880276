"""`python -m otbasy COMMAND ...`, the same as the `otbasy` console command."""

import sys

from otbasy.cli import main

sys.exit(main())
