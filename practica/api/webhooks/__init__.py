"""Webhooks: stewards' endpoints told about events, signed, queued, retried and logged."""
