"""In-app notifications and each person's notification preferences."""
