"""Chat layer: one aiogram router per feature, built by ``setup()`` factories.

Every router is built at start (its filters decide which update it takes), but the services of
the features a member's /start, /dagsorden and opened punkt never reach (imports, the roster,
meeting mode, the protocol's files, status plans and answers, search, proposals, questions) are
imported inside the handlers that call them: they load on first use, and the idle bot does not
hold them (``tests/test_startup_imports.py`` keeps them out of the start).
"""
