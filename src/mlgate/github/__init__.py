"""GitHub: a small REST client, the sticky PR comment, PR resolution and the Actions environment files.

This package takes strings (a markdown body, a key, a commit sha), never ML objects, and uses only the
operations DESIGN.md lists: issue comments list/create/update/delete, pulls get/list, issues
list/create/update (the monitor issue). The HTTP session, clock and sleep are injected, so tests pass fakes.

Modules: ``client`` (REST, retries, errors), ``comments`` (sticky comment: the pure plan and its
application), ``body`` (the marker line and GitHub's size limit), ``pulls`` (which PR a run belongs to,
the stale-run guard), ``publish`` (the whole ``mlgate comment`` flow), ``actions`` (``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY``, workflow commands), ``keys`` (the default report key) and ``issues`` (the one sticky
monitor issue: open, update, close, retrain notes).
"""

from __future__ import annotations
