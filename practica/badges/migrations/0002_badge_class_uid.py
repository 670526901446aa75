"""Badge classes get an unguessable id: classes of communities that are not public are
hosted at it, and no longer at their sequential number."""

import uuid

from django.db import migrations, models


def give_each_class_a_uid(apps, schema_editor):
    BadgeClass = apps.get_model("badges", "BadgeClass")
    for badge_class in BadgeClass.objects.only("pk"):
        BadgeClass.objects.filter(pk=badge_class.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("badges", "0001_badge_classes_and_assertions")]

    operations = [
        migrations.AddField(
            model_name="badgeclass",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_class_a_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="badgeclass",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
