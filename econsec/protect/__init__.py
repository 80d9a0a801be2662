"""Protect: party screening against sanctions and export-control lists."""
