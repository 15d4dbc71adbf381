# track: for trials, PYTHONPATH=<prefix>/share/track/python loads the
# package hook through this file (docs/python.md). A sitecustomize further
# along sys.path (Debian ships one) is what the interpreter would have run
# without us: it runs too, as that module's own code.
import os
import sys

if "TRACK_RUN_UUID" in os.environ:
    try:
        import track_packages  # noqa: F401
    except BaseException:
        pass


def _chain():
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if not (isinstance(p, str) and os.path.abspath(p or ".") == here)]
    import importlib.machinery
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    code = spec.loader.get_code("sitecustomize")
    exec(code, globals())


_chain()
del _chain
