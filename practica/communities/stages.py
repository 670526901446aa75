"""The stages of the trajectory, from visitor on the periphery to steward."""

from django.db import models


class Stage(models.IntegerChoices):
    VISITOR = 0, "Visitor"
    PERIPHERAL = 10, "Learner"
    PARTICIPANT = 20, "Participant"
    FULL = 30, "Full member"
    STEWARD = 40, "Steward"


MEMBER_STAGES = [Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL, Stage.STEWARD]
DEFAULT_LABELS = {int(stage): stage.label for stage in Stage}


def next_stage(stage: int) -> Stage | None:
    later = [s for s in MEMBER_STAGES if s > stage]
    return later[0] if later else None
