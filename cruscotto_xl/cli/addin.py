"""``cruscotto addin build|install``: the Excel add-in from the command line.

A typer sub-app, mounted by the main CLI as ``addin``. Both commands build the add-in on
the machine that runs them, from the installed xlwings: the VBA then matches the xlwings
version (and DLL) of the Python that the add-in will call. Errors follow the command line's
policy (:mod:`.policy`): one Italian line and exit code 1.
"""

from __future__ import annotations

import functools
import locale
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer

from ..addin.package import (
    ADDIN_NAME,
    build_xlam,
    config_entries,
    source_text,
    xlwings_version,
)
from ..errors import UserError
from .italian import ItalianCommand, ItalianGroup
from .options import option
from .output import plain_console as console
from .policy import guarded

ADDIN_FILE = f"{ADDIN_NAME}.xlam"
CONFIG_FILE = f"{ADDIN_NAME}.conf"
#: Where Excel for Mac (sandboxed) may read files, and where xlwings looks for the user
#: configuration on macOS (GetConfigFilePath: $HOME of the container).
MAC_CONTAINER = Path("Library/Containers/com.microsoft.Excel/Data")

_SAME_VERSION = (
    "Il componente aggiuntivo viene costruito su questo computer con la versione di xlwings "
    "installata qui ({version}): così il codice VBA corrisponde sempre alla versione di "
    "xlwings che Python userà.")

addin_app = typer.Typer(
    name="addin",
    help="Componente aggiuntivo di Excel: scheda «Cruscotto» e funzioni di foglio.\n\n"
         "Pulsanti Ricalcola, Valida, Aggiorna riepilogo, Consolida, Nuovo anno; funzioni "
         "CRUSCOTTO.GRADO, CRUSCOTTO.TARGET, CRUSCOTTO.PESI, CRUSCOTTO.MEDIA_PESATA "
         "(solo in Excel per Windows: su Mac le funzioni di xlwings non esistono e la cella "
         "lo dice; i pulsanti funzionano).\n\n"
         + _SAME_VERSION.format(version=xlwings_version()),
    no_args_is_help=True,
    add_completion=False,
    cls=ItalianGroup,
)
F = TypeVar("F", bound=Callable[..., Any])


class InstallError(UserError):
    """The add-in cannot be installed here (Italian message, for the user)."""


def _writing(func: F) -> F:
    """These commands only write files: a write the system refuses is an InstallError."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OSError as exc:
            raise InstallError(f"impossibile scrivere {exc.filename or ''}: "
                               f"{exc.strerror or exc}") from None

    return cast(F, wrapper)


def _platform() -> str:
    """``sys.platform``, behind a function so tests can play Windows or macOS."""
    return sys.platform


def write_user_config(path: Path, key: str, value: str) -> Path:
    """Set ``key`` in the xlwings configuration file ``path``, keeping its other entries.

    A new file starts from ``cruscotto.conf.template``. The VBA reads it with ``Input #``
    in the system's ANSI code page, hence ``locale.getencoding()``.
    """
    encoding = locale.getencoding()
    if path.exists():
        try:
            entries = config_entries(path.read_text(encoding))
        except UnicodeDecodeError:
            raise InstallError(f"{path} non è un file di configurazione leggibile: "
                               "correggerlo o cancellarlo e riprovare") from None
    else:
        entries = config_entries(source_text("cruscotto.conf.template"))
    entries[key] = value
    text = "".join(f'"{k}","{v}"\r\n' for k, v in entries.items())
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        raise InstallError(f"il percorso {value} contiene caratteri che Excel non legge nel "
                           f"file {path}: usare un Python installato in una cartella con "
                           "nome semplice") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _windows_dirs() -> tuple[Path, Path]:
    """(XLSTART of the user, the user configuration file) on Windows."""
    appdata, profile = os.environ.get("APPDATA"), os.environ.get("USERPROFILE")
    if not appdata or not profile:
        raise InstallError("variabili d'ambiente APPDATA o USERPROFILE assenti: usare --cartella "
                           "e copiare il file nella cartella XLSTART di Excel")
    return (Path(appdata) / "Microsoft" / "Excel" / "XLSTART",
            Path(profile) / f".{ADDIN_NAME}" / CONFIG_FILE)


@addin_app.command("build", cls=ItalianCommand, help=(
    "Costruisce il componente aggiuntivo (.xlam) dai sorgenti, su qualsiasi sistema.\n\n"
    "Il file va poi installato in Excel (su Windows basta `cruscotto addin install`). "
    + _SAME_VERSION.format(version=xlwings_version())))
@guarded
@_writing
def build(
    out: Annotated[Path, option("--uscita", "File da scrivere")] = Path(
        ADDIN_FILE),
) -> None:
    """Build the add-in anywhere (e.g. to inspect it or to carry it to another machine)."""
    path = build_xlam(out)
    console.print(f"Componente aggiuntivo scritto: {path} ({path.stat().st_size} byte, "
                  f"xlwings {xlwings_version()}).")


@addin_app.command("install", cls=ItalianCommand, help=(
    "Costruisce il componente aggiuntivo e lo installa per questo utente.\n\n"
    "Windows: lo scrive in %APPDATA%\\Microsoft\\Excel\\XLSTART (Excel lo apre a ogni "
    "avvio) e scrive %USERPROFILE%\\.cruscotto\\cruscotto.conf con INTERPRETER_WIN = "
    "questo Python.\n\n"
    "macOS: lo scrive nella cartella di Excel (~/Library/Containers/com.microsoft.Excel/Data), "
    "imposta INTERPRETER_MAC e spiega come attivarlo.\n\n"
    "Linux: Excel non esiste; con --cartella costruisce il file da portare su Windows o macOS.\n\n"
    + _SAME_VERSION.format(version=xlwings_version())))
@guarded
@_writing
def install(
    folder: Annotated[Path | None, option(
        "--cartella", "Cartella in cui installare il file (predefinita: su Windows la "
                      "cartella XLSTART di Excel; su macOS la cartella di Excel in "
                      "~/Library/Containers)")] = None,
) -> None:
    """Build the add-in where this platform's Excel finds it, and point it at this Python."""
    platform = _platform()
    config: tuple[Path, str] | None = None
    if platform == "win32":
        xlstart, conf = _windows_dirs()
        target = folder or xlstart
        config = (conf, "INTERPRETER_WIN")
    elif platform == "darwin":
        container = Path.home() / MAC_CONTAINER
        if container.is_dir():
            config = (container / CONFIG_FILE, "INTERPRETER_MAC")
        elif folder is None:
            raise InstallError(f"Excel per Mac non trovato (manca {container}): avviare "
                               "Excel una volta e riprovare, oppure usare --cartella")
        target = folder or container
    elif folder is None:
        raise InstallError("su Linux Excel non è disponibile: usare `cruscotto addin install "
                           "--cartella CARTELLA` (o `cruscotto addin build`) e installare il file "
                           "su Windows o macOS")
    else:
        target = folder

    path = build_xlam(target / ADDIN_FILE)
    console.print(f"Componente aggiuntivo scritto: {path} (xlwings {xlwings_version()}).")
    if config is not None:
        conf = write_user_config(config[0], config[1], sys.executable)
        console.print(f"Configurazione scritta: {conf} ({config[1]} = {sys.executable}).")
    if platform == "win32":
        console.print("Riavviare Excel: la scheda «Cruscotto» compare nella barra "
                      "multifunzione." if folder is None else
                      "Per usarlo, copiarlo nella cartella XLSTART di Excel "
                      "(%APPDATA%\\Microsoft\\Excel\\XLSTART) e riavviare Excel.")
    elif platform == "darwin":
        console.print(
            f"In Excel: Strumenti › Componenti aggiuntivi di Excel… › Sfoglia…, scegliere "
            f"{path} e confermare. Una volta sola, eseguire `xlwings runpython install` "
            "(permette a Excel di avviare Python), poi chiudere Excel (Cmd-Q) e riaprirlo.")
        if config is None:
            console.print("Excel per Mac non trovato: impostare INTERPRETER_MAC nel file "
                          f"~/{MAC_CONTAINER}/{CONFIG_FILE} dopo averlo avviato.")
    else:
        console.print(
            "Su Windows: installare cruscotto-xl e xlwings "
            f"{xlwings_version()} nel Python dell'utente ed eseguire `cruscotto addin "
            "install` (consigliato: costruisce il file con la versione di xlwings di quel "
            f"computer); oppure copiare {path.name} in %APPDATA%\\Microsoft\\Excel\\XLSTART "
            f"e scrivere in %USERPROFILE%\\.{ADDIN_NAME}\\{CONFIG_FILE} la riga "
            '"INTERPRETER_WIN","<percorso di python.exe>".')
