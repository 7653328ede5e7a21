"""Escaping policies, one module per output kind that strangers' text reaches.

- :mod:`mlgate.text.markdown`: PR comments, issues and job summaries (GitHub-flavoured markdown).
- :mod:`mlgate.text.terminal`: text for a terminal, which in CI is also the Actions log.
- :mod:`mlgate.text.actions_log`: workflow commands and lines of the Actions log.
- :mod:`mlgate.text.secrets`: credentials taken out of text a service sent back.

Every value that comes from data (CSV cells and headers, captured traffic, model and metric names, parameter
values, reasons typed by people, messages from services) goes through one of these before it is shown.
"""
