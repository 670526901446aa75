"""The patient-data guard now covers every text: its mode moves to the community and its
log to the privacy app. Existing choices and log entries are carried over."""

from django.db import migrations


def carry_over(apps, schema_editor):
    ConversationSettings = apps.get_model("conversations", "ConversationSettings")
    Community = apps.get_model("communities", "Community")
    OldLog = apps.get_model("conversations", "GuardLog")
    NewLog = apps.get_model("privacy", "GuardLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for options in ConversationSettings.objects.exclude(guard_mode="warn"):
        Community.objects.filter(pk=options.community_id).update(guard_mode=options.guard_mode)
    thread_type = None
    if OldLog.objects.filter(thread__isnull=False).exists():
        thread_type, _ = ContentType.objects.get_or_create(
            app_label="conversations", model="thread"
        )
    NewLog.objects.bulk_create(
        [
            NewLog(
                community_id=log.community_id,
                user_id=log.user_id,
                where="post",
                decision=log.decision,
                kinds=log.kinds,
                target_type=thread_type if log.thread_id else None,
                target_id=log.thread_id,
                created_at=log.created_at,
            )
            for log in OldLog.objects.all()
        ],
        batch_size=500,
    )


def carry_back(apps, schema_editor):
    ConversationSettings = apps.get_model("conversations", "ConversationSettings")
    Community = apps.get_model("communities", "Community")
    OldLog = apps.get_model("conversations", "GuardLog")
    NewLog = apps.get_model("privacy", "GuardLog")
    for community in Community.objects.filter(guard_mode="block"):
        ConversationSettings.objects.update_or_create(
            community_id=community.pk, defaults={"guard_mode": "block"}
        )
    OldLog.objects.bulk_create(
        [
            OldLog(
                community_id=log.community_id,
                user_id=log.user_id,
                decision=log.decision,
                kinds=log.kinds,
                created_at=log.created_at,
            )
            for log in NewLog.objects.filter(community__isnull=False)
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_post_reply_to"),
        ("communities", "0002_community_guard_mode"),
        ("privacy", "0001_guard_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveField(
            model_name="conversationsettings",
            name="guard_mode",
        ),
        migrations.DeleteModel(
            name="GuardLog",
        ),
    ]
