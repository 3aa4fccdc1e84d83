"""Click's own texts (usage, options, errors) in Spanish.

Click translates its messages with `gettext` bound at import in each of its modules; there is no
Spanish catalog in the package, so `install()` rebinds those functions to this table. A message
missing from the table stays as Click wrote it (tests/test_cli.py looks for English words).
"""

from __future__ import annotations

import importlib

MESSAGES = {
    "Usage:": "Uso:",
    "Options": "Opciones",
    "Commands": "Comandos",
    "Positional arguments": "Argumentos",
    "Show this message and exit.": "Muestra esta ayuda y termina.",
    "Show the version and exit.": "Muestra la versión y termina.",
    "%(prog)s, version %(version)s": "%(prog)s, versión %(version)s",
    "Error: {message}": "Error: {message}",
    "Try '{command} {option}' for help.": "Pruebe '{command} {option}' para ver la ayuda.",
    "No such command {name!r}.": "No existe el comando {name!r}.",
    "No such option {name!r}.": "No existe la opción {name!r}.",
    "Missing command.": "Falta el comando.",
    "Missing argument": "Falta el argumento",
    "Missing option": "Falta la opción",
    "Missing parameter": "Falta el parámetro",
    "Missing parameter: {param_name}": "Falta el parámetro: {param_name}",
    "Missing {param_type}": "Falta {param_type}",
    "argument": "el argumento",
    "option": "la opción",
    "parameter": "el parámetro",
    "Invalid value for {param_hint}: {message}": "Valor no válido para {param_hint}: {message}",
    "Invalid value: {message}": "Valor no válido: {message}",
    "Option {name!r} does not take a value.": "La opción {name!r} no admite un valor.",
    "Option {name!r} requires an argument.": "La opción {name!r} necesita un valor.",
    "Argument {name!r} takes {nargs} values.": "El argumento {name!r} admite {nargs} valores.",
    "Invalid start character for option ({option})": "Carácter inicial no válido en la opción ({option})",
    "Value must be an iterable.": "El valor debe ser iterable.",
    "Aborted!": "Interrumpido.",
    "required": "obligatorio",
    "default: {default}": "por defecto: {default}",
    "env var: {var}": "variable de entorno: {var}",
    "(dynamic)": "(dinámico)",
    "deprecated": "obsoleto",
    "file": "archivo",
    "directory": "carpeta",
    "path": "ruta",
    "{name} {filename!r} does not exist.": "{name} {filename!r} no existe.",
    "{name} {filename!r} is a file.": "{name} {filename!r} es un archivo.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} es una carpeta.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} no se puede leer.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} no se puede escribir.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} no es ejecutable.",
    "Could not open file {filename!r}: {message}": "No se pudo abrir {filename!r}: {message}",
    # number_type is Click's English type name ("integer range"): left out of the sentence.
    "{value!r} is not a valid {number_type}.": "{value!r} no es un número válido.",
    "{value} is not in the range {range}.": "{value} no está en el intervalo {range}.",
    "{value!r} is not a valid UUID.": "{value!r} no es un UUID válido.",
    "{value!r} is not one of {choices}.": "{value!r} no es uno de {choices}.",
    "{value!r} is not {choice}.": "{value!r} no es {choice}.",
    "{value!r} is not a valid boolean.": "{value!r} no es un valor lógico válido.",
    "Choose from:\n\t{choices}": "Elija entre:\n\t{choices}",
    "Do you want to continue?": "¿Continuar?",
    "Confirm the action without prompting.": "Confirma la acción sin preguntar.",
    "Repeat for confirmation": "Repita para confirmar",
    "Error: The two entered values do not match.": "Error: los dos valores no coinciden.",
    "Error: invalid input": "Error: valor no válido",
    "Press any key to continue...": "Pulse una tecla para continuar...",
    "unknown error": "error desconocido",
}

PLURALS = {
    "Got unexpected extra argument ({args})": (
        "Sobra un argumento ({args})",
        "Sobran argumentos ({args})",
    ),
    "Did you mean {possibility}?": (
        "¿Quiso decir {possibility}?",
        "(¿Quiso decir alguno de estos: {possibilities}?)",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Admite {nargs} valores pero se dio 1.",
        "Admite {nargs} valores pero se dieron {len}.",
    ),
    "{value!r} is not one of {choices}.": (
        "{value!r} no es {choices}.",
        "{value!r} no es uno de {choices}.",
    ),
    "Option {name!r} requires an argument.": (
        "La opción {name!r} necesita un valor.",
        "La opción {name!r} necesita {nargs} valores.",
    ),
}

CLICK_MODULES = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "shell_completion",
    "termui",
    "types",
    "utils",
)


def gettext(message: str) -> str:
    """The Spanish text of one of Click's messages (the message itself when unknown)."""
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The Spanish singular or plural of one of Click's messages."""
    if singular in PLURALS:
        one, many = PLURALS[singular]
        return one if n == 1 else many
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Rebind Click's translation functions to the Spanish table (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
