"""Webhooks: endpoints subscribed to event types, signed deliveries on the job queue."""
