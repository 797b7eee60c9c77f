"""Readers for the corpora and the files a user gives."""
