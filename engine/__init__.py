"""chatapp's engine: text, recurrent models, decoding, training and checkpoints.

No Qt and no SQL here: the desktop app, the command line and the tests all use this package
through the same small API (``engine.service.Engine``).
"""
__version__ = "0.1.0"

# How strongly chat replies are reranked toward what the user said by default (``DecodeConfig.mmi_weight``):
# the command line starts from it, and the app's settings start from the same value.
MMI_WEIGHT = 0.75
