"""Authentication: who is calling. Authorization (what they may do) lives in chapters.authz."""
