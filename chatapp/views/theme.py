"""Light and dark themes: one palette of named colours, applied to Qt and to the bubbles."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    window: str  # the chat area and dialogs
    panel: str  # the conversation list and the input area
    text: str  # body text on window and panel
    muted: str  # times, hints, the status bar
    accent: str  # primary buttons, the selected conversation, links
    on_accent: str  # text on an accent background
    user_bubble: str
    user_text: str
    user_muted: str  # time and notes inside the user's bubble
    bot_bubble: str
    bot_text: str
    border: str  # lines, and the background of a disabled primary button
    positive: str
    neutral: str
    negative: str  # sentiment, error notices, the Stop button
    on_negative: str  # text on the Stop button
    highlight: str  # the outline of a message found by search, and selected text in bubbles
    on_highlight: str  # selected text in bubbles
    heat_low: str  # attention heatmap, weight 0
    heat_high: str  # attention heatmap, weight 1
    ink_dark: str  # numbers on a light heatmap cell
    ink_light: str  # numbers on a dark heatmap cell


# Every (text, background) pair of theme fields that the stylesheet and the views draw; each must
# reach WCAG AA for normal text, a contrast of 4.5:1 (tests/chatapp/test_theme_contrast.py).
TEXT_PAIRS = (
    ("text", "window"), ("text", "panel"), ("muted", "window"), ("muted", "panel"),
    ("muted", "bot_bubble"), ("muted", "border"), ("on_accent", "accent"),
    ("accent", "window"), ("accent", "panel"), ("accent", "bot_bubble"),
    ("user_text", "user_bubble"), ("user_muted", "user_bubble"), ("bot_text", "bot_bubble"),
    ("on_negative", "negative"), ("text", "bot_bubble"), ("on_highlight", "highlight"),
)
AA_CONTRAST = 4.5

LIGHT = Theme("light", window="#f6f7fb", panel="#ffffff", text="#1d2330", muted="#5f6677",
              accent="#3f5ae0", on_accent="#ffffff", user_bubble="#3f5ae0", user_text="#ffffff",
              user_muted="#e4e9ff", bot_bubble="#ffffff", bot_text="#1d2330", border="#e1e4ee",
              positive="#2f9e62", neutral="#8a8f9c", negative="#c0392b", on_negative="#ffffff",
              highlight="#9a5b00", on_highlight="#ffffff", heat_low="#f4f6fd", heat_high="#3047c4",
              ink_dark="#000000", ink_light="#ffffff")
DARK = Theme("dark", window="#171a21", panel="#1f232c", text="#e6e9f0", muted="#a3aabb",
             accent="#7b93ff", on_accent="#0f1220", user_bubble="#3d55d6", user_text="#ffffff",
             user_muted="#dce3ff", bot_bubble="#272c37", bot_text="#e6e9f0", border="#323846",
             positive="#4cc38a", neutral="#9aa1b1", negative="#f0716c", on_negative="#14161c",
             highlight="#f5c451", on_highlight="#14161c", heat_low="#1f2430", heat_high="#8ea2ff",
             ink_dark="#000000", ink_light="#ffffff")
THEMES = {"light": LIGHT, "dark": DARK}

SENTIMENT_WORDS = {"positive": "positive", "neutral": "neutral", "negative": "negative"}


def sentiment_color(theme: Theme, label: str) -> str:
    return {"positive": theme.positive, "neutral": theme.neutral, "negative": theme.negative}.get(
        label, theme.muted)


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of "#rrggbb": 0 for black, 1 for white."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    value = color.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, from 1 (same colour) to 21 (black on white)."""
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(theme: Theme, background: str) -> str:
    """The theme's dark or light ink, whichever reads better on ``background`` (a heatmap cell)."""
    return max((theme.ink_dark, theme.ink_light), key=lambda ink: contrast(ink, background))


def apply_theme(app: QApplication, theme: Theme) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.panel, QPalette.ColorRole.AlternateBase: theme.window,
        QPalette.ColorRole.Text: theme.text, QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: theme.on_accent, QPalette.ColorRole.ToolTipBase: theme.panel,
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
    #sidebar QListWidget::item:selected {{ background: {t.accent}; color: {t.on_accent}; }}
    #sidebar QListWidget::item:hover:!selected {{ background: {t.window}; }}
    QLineEdit, QPlainTextEdit, QTextEdit {{
        border: 1px solid {t.border}; border-radius: 8px; padding: 5px 8px;
        background: {t.panel}; color: {t.text}; selection-background-color: {t.accent}; }}
    QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 1px solid {t.accent}; }}
    QPushButton {{ border: 1px solid {t.border}; border-radius: 8px; padding: 6px 14px;
        background: {t.panel}; color: {t.text}; }}
    QPushButton:hover {{ border-color: {t.accent}; }}
    QPushButton#primary {{ background: {t.accent}; color: {t.on_accent}; border: none; font-weight: 600; }}
    QPushButton#primary:disabled {{ background: {t.border}; color: {t.muted}; }}
    QPushButton#danger {{ background: {t.negative}; color: {t.on_negative}; border: none; font-weight: 600; }}
    QToolButton {{ border: none; border-radius: 6px; padding: 3px 5px; color: {t.muted}; }}
    QToolButton:hover {{ background: {t.window}; color: {t.text}; }}
    QToolButton:checked {{ color: {t.accent}; }}
    #bubble_user {{ background: {t.user_bubble}; border-radius: 14px; }}
    #bubble_user QLabel {{ color: {t.user_text}; }}
    #bubble_bot {{ background: {t.bot_bubble}; border: 1px solid {t.border}; border-radius: 14px; }}
    #bubble_bot QLabel {{ color: {t.bot_text}; }}
    #bubble_user QLabel, #bubble_bot QLabel {{ selection-background-color: {t.highlight};
        selection-color: {t.on_highlight}; }}
    #bubble_user[found="true"], #bubble_bot[found="true"] {{ border: 3px solid {t.highlight}; }}
    QLabel#time {{ color: {t.muted}; font-size: 11px; }}
    #bubble_user QLabel#time {{ color: {t.user_muted}; }}
    QLabel#note {{ color: {t.muted}; font-style: italic; }}
    #bubble_user QLabel#note {{ color: {t.user_muted}; }}
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
    QMenu::item:selected {{ background: {t.accent}; color: {t.on_accent}; }}
    QGroupBox {{ border: 1px solid {t.border}; border-radius: 10px; margin-top: 14px; padding: 10px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; color: {t.muted}; }}
    QSlider::groove:horizontal {{ height: 4px; background: {t.border}; border-radius: 2px; }}
    QSlider::handle:horizontal {{ background: {t.accent}; width: 14px; margin: -6px 0; border-radius: 7px; }}
    """
