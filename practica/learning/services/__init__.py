"""Every write in learning: authoring, progress, assessments and feedback."""
