"""``python -m bot`` is the same as the ``udvalgsbot`` console script."""

from bot.cli import main

raise SystemExit(main())
