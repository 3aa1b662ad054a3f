"""What a long-lived process does once it has started: keep the garbage collector off the start-up objects.

After start-up a process holds about 180,000 objects the cyclic garbage collector tracks (the app, the models,
SQLAlchemy's metadata and statement caches) and keeps for its whole life. A report that builds a few hundred
thousand rows sets off full collections that walk all of them again and again: a quarter of a second of the
national workbook. `gc.freeze()` moves them to a generation no collection visits; what is made afterwards is
collected as usual. It is also the Python documentation's advice for servers that fork workers, whose memory pages
then stay shared. Called by wsgi.py (each gunicorn worker), `flask scheduler` and `flask export`.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect what start-up left over, then put everything still alive out of the collector's reach."""
    gc.collect()
    gc.freeze()


def unfreeze() -> None:
    """Hand frozen objects back to the collector (after a command run in-process, as the tests do)."""
    gc.unfreeze()
