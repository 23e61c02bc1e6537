"""libemf, the SQLite extension of the Excuse My French databases.

    import sqlite3, emf
    conn = sqlite3.connect("data/trends.db")
    emf.load(conn)
    conn.execute("SELECT emf_init('trends')")

The package holds the libemf.so it was built with; see docs/python.md.
"""

from pathlib import Path

__all__ = ["load", "loadable_path", "__version__"]

try:
    from importlib.metadata import PackageNotFoundError, version as _version

    __version__ = _version("emf")
except (ImportError, PackageNotFoundError):  # run from a source tree
    __version__ = "0+unknown"


def loadable_path():
    """The path of the packaged libemf.so, for any client's load_extension."""
    return str(Path(__file__).resolve().with_name("libemf.so"))


def load(conn):
    """Loads libemf into a sqlite3 connection.

    Extension loading is enabled for the call only, then disabled again, so
    that SQL run later on the connection cannot load libraries.
    """
    if not hasattr(conn, "enable_load_extension"):
        raise RuntimeError(
            "emf: this Python's sqlite3 module cannot load extensions (it was built "
            "without --enable-loadable-sqlite-extensions); use Debian's /usr/bin/python3 "
            "or a Python built with that option"
        )
    conn.enable_load_extension(True)
    try:
        conn.load_extension(loadable_path())
    finally:
        conn.enable_load_extension(False)
