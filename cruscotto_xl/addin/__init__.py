"""Building the Excel add-in (.xlam) from text sources, on any OS.

So far: the two binary formats the VBA project needs — MS-OVBA compression (:mod:`.ovba`)
and a minimal compound-file (OLE/CFB) writer (:mod:`.cfb`). See docs/research-addin.md for
the rest of the build (``dir``/``PROJECT`` streams, the package, the ribbon).
"""
