"""Step classifiers: direction (forward/backward) and foot strike (heel/midfoot/forefoot).

Heavy modules (scikit-learn, skops) load on first use. Main entry points:
:class:`~gait.classify.stage.StepLabeller` (the pipeline stage; ``StepLabeller.default()``
loads the shipped ``models/``), :func:`~gait.classify.train.train` (``gait train``) and
:func:`~gait.classify.model_io.load_models`. See docs/classifiers.md.
"""
