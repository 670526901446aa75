"""Learning pages under /learning/. Each views module lists its own paths; fixed paths
("new/", "record/", "record.pdf") come before the module slug."""

from practica.learning.views import assessment, authoring, feedback, learner, pdf

app_name = "learning"
urlpatterns = (
    pdf.urlpatterns
    + authoring.urlpatterns
    + learner.urlpatterns
    + assessment.urlpatterns
    + feedback.urlpatterns
)
