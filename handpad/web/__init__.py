"""The browser drawing pad (``handpad serve``): a Starlette app, its JSON API and its static page.

:func:`handpad.web.app.create_app` builds the app; ``static/pad.js`` is the canvas as an ES module
(``mountPad``), reusable by any page or notebook widget that passes its own predict/save calls.
"""
