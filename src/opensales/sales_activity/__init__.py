"""Sales activities: sales activities attached to contacts, accounts and deals."""
