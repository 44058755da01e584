"""Mechanisms written once and shared by every resource."""
