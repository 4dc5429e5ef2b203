"""Atomistic tools: relaxations with a registered potential and cached ML energies of the library.

The potentials themselves are in :mod:`nitrolyte.potentials`. Heavy dependencies (torch, the model
packages, ase) are imported inside the functions that need them.
"""
