"""pira."""
