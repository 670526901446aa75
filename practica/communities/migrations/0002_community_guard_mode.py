from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0001_communities_membership_trajectory'),
    ]

    operations = [
        migrations.AddField(
            model_name='community',
            name='guard_mode',
            field=models.CharField(choices=[('warn', 'Warn the author, who may confirm'), ('block', 'Block the text until it is edited')], default='warn', max_length=10),
        ),
    ]
