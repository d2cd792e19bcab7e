"""Declared options: every option of a run is one dataclass field with its type, default,
allowed values or bounds, unit and a one-line help, so the Python API, the command line, the
app's form and the launch arguments are all made from one table.

Data model
----------
- ``option(default, help=..., ...)`` declares a field of a frozen option record (``GraphParams``,
  ``AnnotateOptions``, ``EmbedOptions``, ``RunConfig``); its :class:`Option` rides in the field's
  metadata. ``check(record)`` in ``__post_init__`` validates every declared field and raises
  :class:`OptionError` naming the option, the value and what is allowed.
- ``option_table(RunConfig)`` walks nested records into a flat tuple of :class:`OptionField`:
  ``name`` (the keyword of ``workbench.run``, the CLI flag ``--name-with-dashes``) and ``path``
  (attribute path inside the record), unique across the table.
- ``build`` / ``flatten`` convert between flat ``{name: value}`` and nested records;
  ``record_from_dict`` rebuilds a record from its ``dataclasses.asdict`` JSON (run.json).
- ``argv``: :func:`add_arguments` fills an ``argparse`` parser from a table,
  :func:`values_from_args` reads it back (text parsed by the field's type, errors as
  :class:`OptionError`), and :func:`to_argv` writes flat values as command-line arguments.

Units are named by each option (``unit``); sizes are plain numbers in that unit.
"""

from workbench.schema.argv import add_arguments, to_argv, values_from_args
from workbench.schema.fields import (
    REQUIRED,
    Option,
    OptionError,
    OptionField,
    build,
    check,
    flatten,
    option,
    option_table,
    parse_text,
    record_from_dict,
)

__all__ = [
    "REQUIRED",
    "Option",
    "OptionError",
    "OptionField",
    "add_arguments",
    "build",
    "check",
    "flatten",
    "option",
    "option_table",
    "parse_text",
    "record_from_dict",
    "to_argv",
    "values_from_args",
]
