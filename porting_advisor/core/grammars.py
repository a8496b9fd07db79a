# SPDX-License-Identifier: Apache-2.0
"""The tree-sitter grammars: one parser per language and one compiled query per source text,
built on first use in each process (grammars load lazily; start-up never pays for them)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter


def grammar(name: str) -> object:
    """The grammar's language handle. Imports are static so that PyInstaller finds them."""
    match name:
        case "c":
            import tree_sitter_c

            return tree_sitter_c.language()
        case "cpp":
            import tree_sitter_cpp

            return tree_sitter_cpp.language()
        case "fortran":
            import tree_sitter_fortran

            return tree_sitter_fortran.language()
        case "go":
            import tree_sitter_go

            return tree_sitter_go.language()
        case "java":
            import tree_sitter_java

            return tree_sitter_java.language()
        case "python":
            import tree_sitter_python

            return tree_sitter_python.language()
        case "rust":
            import tree_sitter_rust

            return tree_sitter_rust.language()
        case "csharp":
            import tree_sitter_c_sharp

            return tree_sitter_c_sharp.language()
        case "hcl":
            import tree_sitter_hcl

            return tree_sitter_hcl.language()
    raise ValueError(f"no tree-sitter grammar for {name!r}")


@functools.cache
def language(name: str) -> tree_sitter.Language:
    import tree_sitter

    return tree_sitter.Language(grammar(name))


@functools.cache
def parser(name: str) -> tree_sitter.Parser:
    import tree_sitter

    return tree_sitter.Parser(language(name))


@functools.cache
def query(name: str, source: str) -> tree_sitter.Query:
    import tree_sitter

    return tree_sitter.Query(language(name), source)
