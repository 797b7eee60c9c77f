"""Which packages importing a module pulls in, asked of a fresh interpreter (boundary tests)."""
import json
import subprocess
import sys


def packages_loaded_by(*modules: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after a fresh Python imports ``modules``."""
    code = (f"import sys, json, {', '.join(modules)}; "
            "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))
