"""Appointments: appointments attached to contacts, accounts and deals."""
