"""The ``cnrs-kg`` command line: the one package that knows ``loaders``, ``graph`` and ``api`` together.

``cli.app`` holds the Typer app and what the commands share; each module of ``cli.commands``
registers its commands on it when imported here, in the order ``cnrs-kg --help`` lists them.
"""

from __future__ import annotations

from cli.app import app

# The order of these imports is the order of the commands in --help.
# isort: off
from cli.commands.load import load as load
from cli.commands.harvest import harvest_app as harvest_app
from cli.commands.generate import generate as generate
from cli.commands.network import network as network
from cli.commands.query import query as query
from cli.commands.search import search as search
from cli.commands.validate import stats as stats, validate as validate
from cli.commands.serve import serve as serve
from cli.commands.export import export as export
from cli.commands.reconcile import reconcile_command as reconcile_command
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    app()
