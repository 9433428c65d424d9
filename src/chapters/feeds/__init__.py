"""Calendar feeds (iCalendar): a chapter's, the tenant's, and a person's private feed."""
