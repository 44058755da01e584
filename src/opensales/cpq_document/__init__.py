"""CPQ documents: quotes and the other configured document types, for a deal."""
