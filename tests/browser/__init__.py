"""Helpers of the browser tests: a trytond server on a demo database, a
JSON-RPC client and the sao web client driven by Selenium."""
