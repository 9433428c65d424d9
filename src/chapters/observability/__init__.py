"""What an operator sees of a running service: one record per HTTP request
(``requests``), rendered as a JSON log line (``logs``), Prometheus metrics (``metrics``) and an
OpenTelemetry span (``traces``)."""
