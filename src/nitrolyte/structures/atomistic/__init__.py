"""Atomistic tools: the offline CHGNet potential, relaxations and cached ML energies.

Heavy dependencies (torch, chgnet, ase) are imported inside the functions that need them.
"""
