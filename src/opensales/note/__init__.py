"""Notes: notes attached to contacts, accounts and deals."""
