"""The data gate: readers, the schema model, validation, inference, schema diff, statistics, drift."""
