"""chatapp's engine: text, recurrent models, decoding, training and checkpoints.

No Qt and no SQL here: the desktop app, the command line and the tests all use this package
through the same small API (``engine.service.Engine``).
"""
__version__ = "0.1.0"
