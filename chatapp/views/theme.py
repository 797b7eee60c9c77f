"""Light and dark themes: one palette of named colours, applied to Qt and to the bubbles."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    panel: str  # the conversation list and the input area
    text: str
    muted: str  # times, hints
    accent: str
    user_bubble: str
    user_text: str
    bot_bubble: str
    bot_text: str
    border: str
    positive: str
    neutral: str
    negative: str
    heat_low: str  # attention heatmap, weight 0
    heat_high: str  # attention heatmap, weight 1


LIGHT = Theme("light", window="#f6f7fb", panel="#ffffff", text="#1d2330", muted="#7a8194",
              accent="#4f6bed", user_bubble="#4f6bed", user_text="#ffffff", bot_bubble="#ffffff",
              bot_text="#1d2330", border="#e1e4ee", positive="#2f9e62", neutral="#8a8f9c",
              negative="#d9534f", heat_low="#f4f6fd", heat_high="#3047c4")
DARK = Theme("dark", window="#171a21", panel="#1f232c", text="#e6e9f0", muted="#8c93a6",
             accent="#7b93ff", user_bubble="#3d55d6", user_text="#ffffff", bot_bubble="#272c37",
             bot_text="#e6e9f0", border="#323846", positive="#4cc38a", neutral="#9aa1b1",
             negative="#f0716c", heat_low="#1f2430", heat_high="#8ea2ff")
THEMES = {"light": LIGHT, "dark": DARK}

SENTIMENT_WORDS = {"positive": "positive", "neutral": "neutral", "negative": "negative"}


def sentiment_color(theme: Theme, label: str) -> str:
    return {"positive": theme.positive, "neutral": theme.neutral, "negative": theme.negative}.get(
        label, theme.muted)


def apply_theme(app: QApplication, theme: Theme) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.panel, QPalette.ColorRole.AlternateBase: theme.window,
        QPalette.ColorRole.Text: theme.text, QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: theme.panel,
        QPalette.ColorRole.ToolTipText: theme.text, QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet(theme))


def stylesheet(t: Theme) -> str:
    return f"""
    QMainWindow, QDialog {{ background: {t.window}; }}
    #sidebar {{ background: {t.panel}; border-right: 1px solid {t.border}; }}
    #sidebar QListWidget {{ border: none; background: {t.panel}; outline: none; }}
    #sidebar QListWidget::item {{ padding: 8px 10px; border-radius: 8px; margin: 1px 6px; }}
    #sidebar QListWidget::item:selected {{ background: {t.accent}; color: #ffffff; }}
    #sidebar QListWidget::item:hover:!selected {{ background: {t.window}; }}
    QLineEdit, QPlainTextEdit, QTextEdit {{
        border: 1px solid {t.border}; border-radius: 8px; padding: 5px 8px;
        background: {t.panel}; color: {t.text}; selection-background-color: {t.accent}; }}
    QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 1px solid {t.accent}; }}
    QPushButton {{ border: 1px solid {t.border}; border-radius: 8px; padding: 6px 14px;
        background: {t.panel}; color: {t.text}; }}
    QPushButton:hover {{ border-color: {t.accent}; }}
    QPushButton#primary {{ background: {t.accent}; color: #ffffff; border: none; font-weight: 600; }}
    QPushButton#primary:disabled {{ background: {t.border}; color: {t.muted}; }}
    QPushButton#danger {{ background: {t.negative}; color: #ffffff; border: none; font-weight: 600; }}
    QToolButton {{ border: none; border-radius: 6px; padding: 3px 5px; color: {t.muted}; }}
    QToolButton:hover {{ background: {t.window}; color: {t.text}; }}
    QToolButton:checked {{ color: {t.accent}; }}
    #bubble_user {{ background: {t.user_bubble}; border-radius: 14px; }}
    #bubble_user QLabel {{ color: {t.user_text}; }}
    #bubble_bot {{ background: {t.bot_bubble}; border: 1px solid {t.border}; border-radius: 14px; }}
    #bubble_bot QLabel {{ color: {t.bot_text}; }}
    QLabel#time {{ color: {t.muted}; font-size: 11px; }}
    #bubble_user QLabel#time {{ color: rgba(255,255,255,0.75); }}
    QLabel#note {{ color: {t.muted}; font-style: italic; }}
    #bubble_user QLabel#note {{ color: rgba(255,255,255,0.85); }}
    #chatArea, #chatArea > QWidget > QWidget {{ background: {t.window}; border: none; }}
    #inputBar {{ background: {t.panel}; border-top: 1px solid {t.border}; }}
    #banner {{ background: {t.panel}; border: 1px solid {t.border}; border-left: 4px solid {t.accent};
        border-radius: 8px; }}
    #banner[level="error"] {{ border-left: 4px solid {t.negative}; }}
    #header {{ background: {t.panel}; border-bottom: 1px solid {t.border}; }}
    QLabel#title {{ font-size: 16px; font-weight: 600; }}
    QLabel#hint {{ color: {t.muted}; }}
    QStatusBar {{ background: {t.panel}; color: {t.muted}; border-top: 1px solid {t.border}; }}
    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
    QScrollBar::handle:vertical {{ background: {t.border}; border-radius: 4px; min-height: 30px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
    QMenuBar {{ background: {t.panel}; color: {t.text}; }}
    QMenu {{ background: {t.panel}; color: {t.text}; border: 1px solid {t.border}; }}
    QMenu::item:selected {{ background: {t.accent}; color: #ffffff; }}
    QGroupBox {{ border: 1px solid {t.border}; border-radius: 10px; margin-top: 14px; padding: 10px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; color: {t.muted}; }}
    QSlider::groove:horizontal {{ height: 4px; background: {t.border}; border-radius: 2px; }}
    QSlider::handle:horizontal {{ background: {t.accent}; width: 14px; margin: -6px 0; border-radius: 7px; }}
    """
