"""The Qt binding itself: a broken build can crash the app long before any feature test notices."""
import sys

from PySide6.QtWidgets import QLabel


def test_qt_calls_leave_the_reference_count_of_none_alone(qtbot):
    # PySide6 6.12.0 released one reference to None per call of a method that returns nothing;
    # where None is not immortal (Python <= 3.11) the process aborts after a few thousand calls.
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
    assert sys.getrefcount(None) >= before - 50
