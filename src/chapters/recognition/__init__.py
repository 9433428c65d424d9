"""Recognition: titles, awards, and certificates anyone can verify."""
