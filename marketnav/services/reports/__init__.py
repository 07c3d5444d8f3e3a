"""Report engine: catalogue, runs, progress tracking, pipelines, exports and read models."""
