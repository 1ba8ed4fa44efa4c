"""Make the salted hash of a dashboard password for .streamlit/secrets.toml.

Usage: python scripts/hash_password.py            (the shared password; prints the [access] section)
       python scripts/hash_password.py li_wei idmc  (one person's: prints their [access.users.li_wei] entry)
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
    if len(sys.argv) >= 2:
        role = sys.argv[2] if len(sys.argv) > 2 else "steering"
        print(f"[access.users.{sys.argv[1].lower()}]\npassword_hash = \"{hash_password(first)}\"\nrole = \"{role}\"")
    else:
        print("[access]\nmode = \"password\"\npassword_hash = \"" + hash_password(first) + "\"\nmax_failures = 5\n"
              "lockout_minutes = 15")
