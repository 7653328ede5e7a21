"""``mlgate monitor``: read captured traffic, validate it, measure drift and live metrics against the live version.

``read`` turns capture files (mlgate's JSONL/Parquet and SageMaker data capture, local or ``s3://``) into
columns; ``judge`` and ``live_metrics`` check them; ``run`` ties the steps together; ``issue`` reflects the verdict in the monitor issue; ``model`` holds the result
types that ``mlgate.report.monitor`` renders (it imports no readers, so the report layer stays free of AWS).
"""
