"""Python's default transaction handling and emf_init (docs/python.md).

    transactions.py EXTENSION FOLDER

Each case makes its own database in FOLDER: an INSERT of the application's,
then emf_init('trends'), then close without a commit. Prints key=value lines:
whether a transaction was open when emf_init ran, and its report.
clients_test.cpp then reads the files to see what was kept.
"""

import sqlite3
import sys
from pathlib import Path


def case(name, folder, extension, commit_first=False, **connect_options):
    conn = sqlite3.connect(folder / f"{name}.db", **connect_options)
    conn.enable_load_extension(True)
    conn.load_extension(extension)
    conn.enable_load_extension(False)
    conn.execute("CREATE TABLE app_log (message TEXT)")
    conn.execute("INSERT INTO app_log VALUES ('started')")  # the implicit BEGIN, by default
    if commit_first:
        conn.commit()
    print(f"{name}.in_transaction={conn.in_transaction}")
    print(f"{name}.init={conn.execute('SELECT emf_init(?)', ('trends',)).fetchone()[0]}")
    conn.close()  # no commit: what is still open is rolled back


def main():
    extension, folder = sys.argv[1], Path(sys.argv[2])
    case("default", folder, extension)
    case("commit_first", folder, extension, commit_first=True)
    case("isolation_none", folder, extension, isolation_level=None)
    if sys.version_info >= (3, 12):
        case("autocommit", folder, extension, autocommit=True)


if __name__ == "__main__":
    main()
