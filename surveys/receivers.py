"""anymail's tracking signal is its API for ESP webhooks: hand each event to the delivery module."""

from anymail.signals import tracking
from django.dispatch import receiver

from . import delivery


@receiver(tracking, dispatch_uid="surveys.suppress_from_tracking")
def suppress_from_tracking(sender, event, esp_name, **kwargs):
    delivery.record_tracking_event(event, esp_name=esp_name)
