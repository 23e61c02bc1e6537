"""Builds the emf package with the built libemf.so inside it.

The library is the file named by the EMF_LIBRARY environment variable, else
build/libemf.so of the repository this folder belongs to (what
`cmake -S . -B build && cmake --build build` makes). The package's version is
the library's own emf_version(), so the two never disagree.
"""

import os
import re
import shutil
import sqlite3
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent


def library():
    named = os.environ.get("EMF_LIBRARY")
    path = Path(named) if named else HERE.parent / "build" / "libemf.so"
    if not path.is_file():
        where = f"EMF_LIBRARY={named}" if named else f"{path} (the default build folder)"
        raise SystemExit(
            f"emf: libemf.so not found at {where}; build it first "
            "(cmake -S . -B build && cmake --build build) or set EMF_LIBRARY "
            "to the built libemf.so"
        )
    return path


def version():
    try:
        conn = sqlite3.connect(":memory:")
        conn.enable_load_extension(True)
        conn.load_extension(str(library()))
        return conn.execute("SELECT emf_version()").fetchone()[0]
    except (AttributeError, sqlite3.Error):
        # This Python cannot load extensions: the project's one version source.
        cmake = (HERE.parent / "CMakeLists.txt").read_text()
        return re.search(r"project\(emf VERSION ([0-9.]+)", cmake).group(1)


class build_py_with_library(build_py):
    """Copies libemf.so into the package, beside __init__.py."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "emf" / "libemf.so"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library(), target)


class BinaryDistribution(Distribution):
    """A wheel for this platform: it holds a compiled library."""

    def has_ext_modules(self):
        return True


setup(
    version=version(),
    cmdclass={"build_py": build_py_with_library},
    distclass=BinaryDistribution,
    zip_safe=False,
)
