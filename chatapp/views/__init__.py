"""Widgets. They hold no engine and no database session: they show plain records and emit
signals that the main window hands to the controller."""
