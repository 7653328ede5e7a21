"""DVC-tracked datasets: the content hash DVC recorded for each dataset of mlgate.yaml, and how it changed.

mlgate never imports ``dvc``: it reads the ``.dvc`` and ``dvc.lock`` YAML files itself and finds DVC's cache
on disk. ``tracking`` parses those files, ``versions`` checks the workspace against them, ``changes`` compares
the merge-base with the head, ``rows`` counts the rows added and removed between two versions of a file.
"""
