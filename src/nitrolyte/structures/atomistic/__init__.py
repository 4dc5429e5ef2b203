"""Atomistic calculations on the structure library (ML potential energies and MD).

TEMP (issue 15): minimal package until issue 11 lands; issue 11's version replaces it.
"""
