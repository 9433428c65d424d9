"""Publishing channels, the publications on them and their reach."""
