"""Tasks: tasks attached to contacts, accounts and deals."""
