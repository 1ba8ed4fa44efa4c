"""Make the salted hash of the dashboard's shared password for .streamlit/secrets.toml.

Usage: python scripts/hash_password.py   (asks for the password; prints the [access] section)
"""

import getpass
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components.ui.access import hash_password  # noqa: E402

if __name__ == "__main__":
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("The two entries differ.")
    if len(first) < 12:
        raise SystemExit("Use at least 12 characters.")
    print("[access]\nmode = \"password\"\npassword_hash = \"" + hash_password(first) + "\"\nmax_failures = 5\nlockout_minutes = 15")
