"""Build hook: compile the optional Cython kernels in ``src_ext/``.

The pure-Python twins in ``fql`` and ``actions`` are always installed; the kernels are
an accelerator. When Cython or a C compiler is missing the build carries on without
them (``fql.BACKEND`` then reports ``python``), so a machine without a toolchain can
still install the package.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent


class OptionalBuildExt(build_ext):
    """Build extensions, but never fail the install because of them."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # any toolchain failure means "no kernel"
            print(f"warning: Cython kernels not built ({exc}); using pure Python", file=sys.stderr)

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:  # a kernel that fails to build is skipped
            print(f"warning: kernel {ext.name} not built ({exc})", file=sys.stderr)


def extensions() -> list:
    if os.environ.get("FQL_NO_EXTENSIONS"):
        return []
    sources = sorted((HERE / "src_ext").glob("*.pyx"))
    if not sources:
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    from setuptools import Extension

    exts = [
        Extension(f"fql._ext.{src.stem}", [str(src.relative_to(HERE))],
                  include_dirs=["src_ext"], depends=["src_ext/_dictprobe.h"])
        for src in sources
    ]
    return cythonize(
        exts,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
        include_path=[str(HERE / "src_ext")],  # the kernels' shared ``.pxd``
        quiet=True,
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
