"""Scoring against labelled corpora (CUAD contracts, AMI / QMSum transcripts): the corpus,
the metrics and the report. ``docpipe.services.evaluation`` runs the pipeline on it."""
