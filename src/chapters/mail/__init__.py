"""Mail to people: templates, the SMTP sender, messages recorded once per (event, recipient)."""
