"""Registrations for accepted activities: capacity, waitlist, check-in, public sign-up."""
