"""Phone calls: phone calls attached to contacts, accounts and deals."""
