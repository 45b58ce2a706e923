"""``python -m taskhub.entrypoints.cli``, as the ``taskhub`` script."""

import sys

from taskhub.entrypoints.cli import main

sys.exit(main())
