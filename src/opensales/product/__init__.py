"""Products and their prices (CPQ)."""
