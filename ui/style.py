"""The web chat's theme and CSS (theme fonts are bundled with Gradio: nothing is fetched)."""

from __future__ import annotations

import gradio as gr

# Gradio's bundled Source Sans Pro SemiBold file holds only a few glyphs (a subset), so semi-bold
# text would mix fonts: declare the complete Bold file for weights above 400 instead.
THEME = gr.themes.Default(
    primary_hue="blue",
    neutral_hue="slate",
    font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"),
    font_mono=(gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "monospace"),
)

CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto; }
#nd-header { align-items: center; }
.nd-brand h1 { font-size: 1.5rem; margin: 0; letter-spacing: -0.01em; }
.nd-brand p { margin: 0.15rem 0 0; color: var(--body-text-color-subdued); font-size: 0.92rem; }
.nd-backend { text-align: right; font-size: 0.85rem; color: var(--body-text-color-subdued); }
.nd-backend strong { display: inline-block; padding: 0.15rem 0.6rem; border-radius: 999px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);
  color: var(--body-text-color); font-weight: 600; }

/* chat bubbles */
.nd-answer, .nd-question { line-height: 1.55; }
.nd-cite { font-size: 0.72em; font-weight: 700; line-height: 1; vertical-align: super;
  padding: 0 0.18em; margin-left: 0.08em; border-radius: 3px;
  color: var(--color-accent); background: var(--color-accent-soft); }
.nd-streaming { opacity: 0.8; }
.nd-caret { display: inline-block; width: 0.5em; height: 1em; margin-left: 0.15em; vertical-align: -0.15em;
  background: var(--body-text-color-subdued); animation: nd-blink 1s steps(2) infinite; }
@keyframes nd-blink { 50% { opacity: 0; } }
.nd-refusal, .nd-error { display: block; padding: 0.55rem 0.8rem; border-radius: 8px; line-height: 1.5; }
.nd-refusal { background: #eef2f7; border-left: 4px solid #7b8da6; color: #2d3a4b; }
.nd-error { background: #fff6e5; border-left: 4px solid #d9950b; color: #5c3d00; }
.nd-notice-title { display: block; font-weight: 600; font-size: 0.85em; text-transform: uppercase;
  letter-spacing: 0.04em; margin-bottom: 0.2rem; opacity: 0.85; }
.nd-notice-title::before { display: inline-block; width: 1.15em; height: 1.15em; margin-right: 0.35em;
  border-radius: 50%; text-align: center; line-height: 1.15em; font-size: 0.9em; vertical-align: 0.05em;
  color: #fff; text-transform: none; }
.nd-refusal .nd-notice-title::before { content: "i"; background: #7b8da6; font-style: italic; font-family: serif; }
.nd-error .nd-notice-title::before { content: "!"; background: #d9950b; }
.dark .nd-refusal { background: #263140; color: #dbe4f0; border-left-color: #8aa0bd; }
.dark .nd-error { background: #3a2c10; color: #ffe2a8; }

#nd-examples { gap: 0.4rem; flex-wrap: wrap; }
#nd-examples button { flex: 0 1 auto !important; min-width: 0 !important; font-weight: 400; }

/* the sources panel */
#nd-sources { max-height: 720px; overflow-y: auto; }
.nd-sources { display: flex; flex-direction: column; gap: 0.75rem; font-size: 0.93rem; }
.nd-empty, .nd-no-sources { color: var(--body-text-color-subdued); padding: 1rem;
  border: 1px dashed var(--border-color-primary); border-radius: 10px; line-height: 1.5; }
.nd-sources-head { font-weight: 600; color: var(--body-text-color-subdued); font-size: 0.85rem; }
.nd-source { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 0.7rem 0.85rem;
  background: var(--block-background-fill); }
.nd-source:target { outline: 2px solid var(--color-accent); }
.nd-meta { line-height: 1.4; margin-bottom: 0.4rem; }
.nd-num { font-weight: 700; color: var(--color-accent); margin-right: 0.2rem; }
.nd-title { font-weight: 600; }
.nd-outlet, .nd-date, .nd-sep { color: var(--body-text-color-subdued); font-size: 0.9em; }
.nd-url { font-size: 0.85em; margin-left: 0.3rem; }
.nd-context { margin: 0; padding: 0.15rem 0 0.15rem 0.7rem; border-left: 3px solid var(--border-color-primary);
  line-height: 1.55; color: var(--body-text-color); }
mark.nd-quote { background: #fde68a; color: #1f2937; padding: 0.05em 0.15em; border-radius: 3px; }
.dark mark.nd-quote { background: #a16207; color: #fffbeb; }
.nd-also { margin-top: 0.4rem; font-size: 0.85em; color: var(--body-text-color-subdued); font-style: italic; }
.nd-full, .nd-searched { margin-top: 0.45rem; font-size: 0.88em; }
.nd-full summary, .nd-searched summary { cursor: pointer; color: var(--color-accent); }
.nd-article { max-height: 340px; overflow-y: auto; margin-top: 0.4rem; padding: 0.5rem 0.7rem;
  border-radius: 8px; background: var(--background-fill-secondary); line-height: 1.55; }
.nd-article p { margin: 0 0 0.6rem; }
.nd-searched ul { margin: 0.3rem 0 0 1.1rem; padding: 0; }
.nd-footnote { font-size: 0.82em; color: var(--body-text-color-subdued); }
.nd-missing { font-size: 0.85em; color: var(--body-text-color-subdued); margin-top: 0.4rem; }

/* articles tab */
#nd-articles .cell-wrap, #nd-articles .cell-wrap span { font-family: var(--font) !important; }
#nd-count { align-self: center; color: var(--body-text-color-subdued); }
.nd-ingest { font-size: 0.92rem; line-height: 1.5; }
.nd-ingest ul { margin: 0.2rem 0 0.2rem 1.1rem; padding: 0; }
.nd-skipped { color: #9a5b00; }
"""
