"""The trajectory: progression, stage history, promotions, endorsements and mentoring."""

urlpatterns: list = []
