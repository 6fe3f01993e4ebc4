"""The ``cruscotto`` command line: :mod:`.app` (the typer app and ``main``), one module per
command group, the error policy (:mod:`.policy`), shared options (:mod:`.options`) and
output (:mod:`.output`)."""
