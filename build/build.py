"""Build a standalone folder of the app: ``python build/build.py`` -> build/dist/chatapp/.

Needs PyInstaller (``pip install pyinstaller``). After building, the app is started once,
offscreen, with ``--version`` to check that it runs.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("PyInstaller is not installed: pip install pyinstaller", file=sys.stderr)
        return 1
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath",
                    str(ROOT / "build" / "dist"), "--workpath", str(ROOT / "build" / "tmp"),
                    str(ROOT / "build" / "chatapp.spec")], check=True, cwd=ROOT)
    binary = ROOT / "build" / "dist" / "chatapp" / ("chatapp.exe" if os.name == "nt" else "chatapp")
    check = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    print(check.stdout.strip() or check.stderr.strip())
    return check.returncode


if __name__ == "__main__":
    raise SystemExit(main())
