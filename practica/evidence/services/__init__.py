"""Every write in the evidence app: summaries, appraisals, proposals and decisions."""
