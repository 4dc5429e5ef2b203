"""One module per schema revision (0001 = the layout of nitrolyte 0.1)."""
