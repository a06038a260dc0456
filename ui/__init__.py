"""newsdesk's web chat (Gradio). It talks to the ``assistant`` package's public API only.

from ui.app import create_app, launch
"""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # set before anything in ui imports gradio
