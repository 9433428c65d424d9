"""Exports of the tenant's data and metrics as CSV and XLSX, streamed."""
