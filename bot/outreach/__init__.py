"""Reaching people where they are: deep links and printable QR codes for outreach workers."""
