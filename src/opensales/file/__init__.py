"""Files: files attached to contacts, accounts and deals."""
