"""chatapp: the desktop application on top of ``engine``."""
__version__ = "0.1.0"
