"""One workflow per user task, shared by the command line and the web.

Each module runs one task from parsed input to a frozen result object: the window report
(:mod:`~nitrolyte.workflows.window`), an EIS file series (:mod:`~nitrolyte.workflows.eis`),
a sigma(T) file's fit and import (:mod:`~nitrolyte.workflows.conductivity`), a cell design
(:mod:`~nitrolyte.workflows.cell`) and an MD run (:mod:`~nitrolyte.workflows.md`). ``cli``
and ``web`` parse their input, call the workflow and render its result; a fix here reaches
both. No code in this ``__init__`` (its submodules may not import it).
"""
