"""The drawing pad: ``handpad draw digits|hangul`` (also ``python main1/main1.py``, ``main2/main2.py``).

    (handpad/cli/draw.py: the subcommand — arguments, display and model checks, then PadApp(...).run())
    controls.py  the key table (handler, window help bar and --help share it)
    canvas.py    window-free state: Canvas (strokes, undo), Prediction, SampleSaver (user's store)
    words.py     window-free word mode: WordPad (a wide canvas, its Reading, picks, copies to a file)
    text.py      a font with Hangul for Pillow (cv2.putText cannot draw Hangul)
    app.py       PadApp: OpenCV window and events, background model loading, the side panel
"""
