"""A VBA project (``vbaProject.bin``) written from source text only, as [MS-OVBA] allows.

The project holds no compiled p-code: ``_VBA_PROJECT`` declares version 0xFFFF, so Excel
ignores any performance cache and compiles the modules from source on open (§1.6,
§2.3.4.1), and every module stream is just the compressed source (MODULEOFFSET 0). A
malformed p-code prefix is reported to make Excel drop a module, so writing none is the
safe choice. The streams are:

* ``VBA/dir`` (compressed): project information, references and one record group per
  module (§2.3.4.2);
* ``VBA/<module>``: the module's source, cp1252 with CRLF line ends (§2.3.4.3);
* ``VBA/_VBA_PROJECT``: the 7-byte header of a source-only project (§2.3.4.1);
* ``PROJECT``: the text the VBA editor reads (module kinds, name, protection state
  encrypted as in §2.4.3.2; §2.3.1) and ``PROJECTwm``: module names in Unicode (§2.3.3).

Sources are kept ASCII on purpose: the project's code page is 1252, and a user whose
Windows uses another ANSI code page would see any other byte garbled.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Literal

from .cfb import write_cfb
from .ovba import compress

Kind = Literal["std", "class", "document"]

CODEPAGE = 1252
LCID = 0x0409

#: ``_VBA_PROJECT`` of a source-only project: reserved 0x61CC, version 0xFFFF, 0x00, 0x0001.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")

#: Libraries listed in ``dir`` (VBA and Excel are implicit). Office provides IRibbonControl.
REFERENCES: tuple[tuple[str, str], ...] = (
    ("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
               r"C:\Windows\System32\stdole2.tlb#OLE Automation"),
    ("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
               r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
               r"#Microsoft Office 16.0 Object Library"),
)

#: VB_Base of a class module, of ThisWorkbook and of a worksheet's module.
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

#: Header attributes VBE writes for each kind, in its order (values are defaults).
_HEADER: dict[str, tuple[tuple[str, str], ...]] = {
    "std": (),
    "class": (("VB_Base", f'"{CLASS_BASE}"'), ("VB_GlobalNameSpace", "False"),
              ("VB_Creatable", "False"), ("VB_PredeclaredId", "False"),
              ("VB_Exposed", "False"), ("VB_TemplateDerived", "False"),
              ("VB_Customizable", "False")),
    "document": (("VB_Base", ""), ("VB_GlobalNameSpace", "False"), ("VB_Creatable", "False"),
                 ("VB_PredeclaredId", "True"), ("VB_Exposed", "True"),
                 ("VB_TemplateDerived", "False"), ("VB_Customizable", "True")),
}

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_ATTRIBUTE = re.compile(r"Attribute\s+(VB_\w+)\s*=\s*(.*)")
_CLS_HEADER = re.compile(r"VERSION\s+\d+\.\d+\s+CLASS")


class VBASourceError(ValueError):
    """A module source that cannot go into the project (the message is Italian)."""


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, its kind and its source (as exported, or plain text)."""

    name: str
    kind: Kind
    code: str


def document_module(name: str, *, workbook: bool) -> Module:
    """The empty code module behind ``ThisWorkbook`` (``workbook=True``) or a worksheet."""
    base = WORKBOOK_BASE if workbook else WORKSHEET_BASE
    return Module(name, "document", f'Attribute VB_Base = "{base}"\r\n')


def normalise_source(name: str, kind: Kind, code: str) -> str:
    """The module text as stored in the project: attribute header, CRLF, ASCII only.

    An exported ``.cls`` starts with a ``VERSION 1.0 CLASS ... END`` block that exists only
    in files: it is dropped. The leading ``Attribute`` lines are completed with what VBE
    itself writes for the kind, in VBE's order (values given in the source win), and
    ``VB_Name`` must equal the module name, since VBE would otherwise rename the module.
    """
    if kind not in _HEADER:
        raise VBASourceError(f"modulo {name}: tipo «{kind}» sconosciuto (std, class, document)")
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and _CLS_HEADER.fullmatch(lines[0].strip()):
        try:
            end = next(i for i, line in enumerate(lines) if line.strip() == "END")
        except StopIteration:
            raise VBASourceError(f"modulo {name}: blocco VERSION ... END non chiuso") from None
        lines = lines[end + 1:]
    attributes: dict[str, str] = {}
    body_at = 0
    for line in lines:
        match = _ATTRIBUTE.fullmatch(line.strip())
        if not match:
            break
        attributes[match[1]] = match[2].strip()
        body_at += 1
    given = attributes.pop("VB_Name", None)
    if given is not None and given != f'"{name}"':
        raise VBASourceError(f"modulo {name}: il sorgente dichiara VB_Name = {given}")
    header = {"VB_Name": f'"{name}"'}
    for key, default in _HEADER[kind]:
        header[key] = attributes.pop(key, default)
        if not header[key]:
            raise VBASourceError(f"modulo {name}: manca l'attributo {key}")
    header.update(attributes)
    text = "".join(f"Attribute {k} = {v}\r\n" for k, v in header.items())
    text += "".join(f"{line}\r\n" for line in lines[body_at:])
    _check_ascii(name, text)
    return text


def _check_ascii(name: str, text: str) -> None:
    for number, line in enumerate(text.split("\r\n"), start=1):
        for char in line:
            if ord(char) < 128:
                continue
            try:
                char.encode("cp1252")
            except UnicodeEncodeError:
                why = "non rappresentabile nella code page 1252 del progetto"
            else:
                why = f"i sorgenti VBA restano ASCII, scrivere ChrW({ord(char)})"
            raise VBASourceError(
                f"modulo {name}, riga {number}: carattere «{char}» (U+{ord(char):04X}): {why}")


def encrypt(data: bytes, project_id: str, seed: int = 0x42) -> str:
    """``data`` encrypted as the PROJECT stream's CMG/DPB/GC values (§2.4.3.2), in hex.

    The seed is normally random; a fixed one keeps builds reproducible and is harmless,
    since this "encryption" only obfuscates the protection state.
    """
    key = sum(project_id.encode("cp1252")) & 0xFF
    out = [seed, seed ^ 2, seed ^ key]
    unencrypted, enc1, enc2 = key, out[2], out[1]
    ignored = [0] * ((seed & 6) // 2)
    for byte in [*ignored, *struct.pack("<I", len(data)), *data]:
        encrypted = byte ^ ((enc2 + unencrypted) & 0xFF)
        out.append(encrypted)
        enc2, enc1, unencrypted = enc1, encrypted, byte
    return bytes(out).hex().upper()


def decrypt(text: str, project_id: str) -> bytes:
    """The inverse of :func:`encrypt`; checks version and project key like VBE does."""
    raw = bytes.fromhex(text)
    seed, version, key = raw[0], raw[1] ^ raw[0], raw[2] ^ raw[0]
    if version != 2 or key != sum(project_id.encode("cp1252")) & 0xFF:
        raise ValueError("dati cifrati non validi per questo progetto")
    unencrypted, enc1, enc2 = key, raw[2], raw[1]
    plain = bytearray()
    for encrypted in raw[3:]:
        byte = encrypted ^ ((enc2 + unencrypted) & 0xFF)
        plain.append(byte)
        enc2, enc1, unencrypted = enc1, encrypted, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    data = bytes(plain[ignored + 4:])
    if len(data) != length:
        raise ValueError("lunghezza dei dati cifrati non coerente")
    return data


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text(record_id: int, unicode_id: int, text: str) -> bytes:
    """A record holding ``text`` in the code page, followed by its UTF-16 twin."""
    return (_record(record_id, text.encode("cp1252"))
            + _record(unicode_id, text.encode("utf-16-le")))


#: PROJECTVERSION (§2.3.4.2.1.11). Excel writes a major that reads as the Unix time of the
#: save and a small minor (e.g. 1643050883, 3 in xlwings' quickstart add-in); a fixed value of
#: that shape (2024-01-01 00:00 UTC, the build's fixed time) keeps builds reproducible.
PROJECT_VERSION = (1704067200, 1)


def _dir_stream(project_name: str, modules: list[Module]) -> bytes:
    """The decompressed ``dir`` stream (§2.3.4.2)."""
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))              # SYSKIND: 32-bit Windows
    out += _record(0x0002, struct.pack("<I", LCID))
    out += _record(0x0014, struct.pack("<I", LCID))           # LCIDINVOKE
    out += _record(0x0003, struct.pack("<H", CODEPAGE))
    out += _record(0x0004, project_name.encode("cp1252"))
    out += _text(0x0005, 0x0040, "")                          # DOCSTRING
    out += _text(0x0006, 0x003D, "")                          # HELPFILEPATH (1 and 2)
    out += _record(0x0007, struct.pack("<I", 0))              # HELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))              # LIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, *PROJECT_VERSION)  # VERSION: reserved 4, major, minor
    out += _text(0x000C, 0x003C, "")                          # CONSTANTS
    for name, libid in REFERENCES:
        out += _text(0x0016, 0x003E, name)
        raw = libid.encode("cp1252")
        out += _record(0x000D, struct.pack("<I", len(raw)) + raw + struct.pack("<IH", 0, 0))
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))         # PROJECTCOOKIE
    for module in modules:
        out += _record(0x0019, module.name.encode("cp1252"))
        out += _record(0x0047, module.name.encode("utf-16-le"))
        out += _text(0x001A, 0x0032, module.name)             # stream name
        out += _text(0x001C, 0x0048, "")                      # DOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))          # MODULEOFFSET: no p-code
        out += _record(0x001E, struct.pack("<I", 0))          # HELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))     # MODULECOOKIE
        out += struct.pack("<HI", 0x0021 if module.kind == "std" else 0x0022, 0)
        out += struct.pack("<HI", 0x002B, 0)                  # module terminator
    out += struct.pack("<HI", 0x0010, 0)                      # dir terminator
    return bytes(out)


def _project_stream(project_name: str, modules: list[Module], project_id: str) -> bytes:
    """The PROJECT text (§2.3.1): unprotected, no password, visible."""
    lines = [f'ID="{project_id}"']
    for module in modules:
        lines.append({"std": f"Module={module.name}", "class": f"Class={module.name}",
                      "document": f"Document={module.name}/&H00000000"}[module.kind])
    lines += [f'Name="{project_name}"', 'HelpContextID="0"',
              'VersionCompatible32="393222000"',
              f'CMG="{encrypt(bytes(4), project_id)}"',
              f'DPB="{encrypt(bytes(1), project_id)}"',
              f'GC="{encrypt(bytes([0xFF]), project_id)}"',
              "", "[Host Extender Info]",
              "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
              # ProjectWorkspace (§2.3.1.20): one closed code window per module, as Excel
              # writes for a module never opened.
              "[Workspace]", *(f"{m.name}=0, 0, 0, 0, C" for m in modules)]
    return "\r\n".join(lines).encode("cp1252")


def _projectwm_stream(modules: list[Module]) -> bytes:
    """Module names in the code page and in UTF-16, each zero-terminated (§2.3.3)."""
    out = b"".join(m.name.encode("cp1252") + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
                   for m in modules)
    return out + b"\0\0"


def build_vba_project(project_name: str, modules: list[Module], project_id: str) -> bytes:
    """The ``vbaProject.bin`` compound file holding ``modules`` as source only.

    ``project_id`` is the project GUID in braces; keeping it fixed (with the fixed
    encryption seed) makes two builds of the same sources byte-identical.
    """
    if not _IDENTIFIER.fullmatch(project_name):
        raise VBASourceError(f"nome del progetto VBA non valido: «{project_name}»")
    if not re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", project_id):
        raise VBASourceError(f"identificativo del progetto VBA non valido: {project_id}")
    seen: set[str] = set()
    streams: dict[str, bytes] = {}
    for module in modules:
        if not _IDENTIFIER.fullmatch(module.name):
            raise VBASourceError(f"nome di modulo VBA non valido: «{module.name}»")
        if module.name.upper() in seen | {project_name.upper(), "_VBA_PROJECT", "DIR"}:
            raise VBASourceError(f"nome di modulo VBA ripetuto o riservato: {module.name}")
        seen.add(module.name.upper())
        source = normalise_source(module.name, module.kind, module.code)
        streams[module.name] = compress(source.encode("cp1252"))
    vba = {"_VBA_PROJECT": VBA_PROJECT_STREAM,
           "dir": compress(_dir_stream(project_name, modules)), **streams}
    return write_cfb({"PROJECT": _project_stream(project_name, modules, project_id),
                      "PROJECTwm": _projectwm_stream(modules), "VBA": vba})
