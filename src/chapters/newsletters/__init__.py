"""Newsletters: columns with their schedule and templates, drafts assembled from a period's
activities, articles, new contributors, certificates and project updates, and issues edited,
rendered to Markdown and HTML, and published on channels."""
