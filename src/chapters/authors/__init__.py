"""The author pool: who writes, who was asked to, who was found, and the outreach to them."""
