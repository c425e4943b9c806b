"""Parsers: text in, data with positions out; no rules, no models."""
