"""Custom modules: kinds of record an admin defines, and their records."""
