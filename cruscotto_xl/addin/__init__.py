"""Building the Excel add-in (.xlam) from the text sources in ``addin/``, on any OS.

:mod:`.ovba` (MS-OVBA compression) and :mod:`.cfb` (the OLE compound file) are the binary
formats; :mod:`.vbaproject` writes ``vbaProject.bin`` from source only; :mod:`.package`
builds the OOXML add-in; :mod:`.cli` is ``cruscotto addin build|install``. See
docs/research-addin.md and addin/README.md.
"""
