"""Project generation (``mlgate new``) and the end-to-end lifecycle demo (``mlgate demo``).

- ``generate``: the cookiecutter template bundled with mlgate, and running it with the user's answers;
- ``corrupt``: a copy of a dataset with real violations (bad types, nulls, out-of-range values);
- ``endpoint``: the local inference server in a background thread, always stopped;
- ``lifecycle``: the steps of the demo, each returning data; ``render``: those steps as text and JSON.
- ``run``: ``mlgate demo``'s use case: the folder it runs in, the run, and the clean-up.
"""

from __future__ import annotations
