"""CSV import and export of contacts, accounts and deals in Freshsales' export format."""
