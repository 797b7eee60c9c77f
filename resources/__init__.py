"""The shipped models, as package data: ``resources/models/*.safetensors`` and their model card.

Making this folder a package is what lets the models travel inside the wheel and be found with
``importlib.resources`` wherever the app is installed (see ``engine.shipped``).
"""
